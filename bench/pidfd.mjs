// Socket options through pidfd (pidfd_getfd + getsockopt per socket) and the /proc
// scan for owning processes, against `ss -tanp`, on a host holding N established
// loopback sockets spread over several processes (bench/farm.py via lib.mjs).
//
// usage: npm run build && node bench/pidfd.mjs [--sockets 100000] [--rounds 5] [--write]
// --write puts the table into docs/performance.md (section "pidfd").
import { parseArgs } from 'node:util'
import { machine, median, startFarm, timeCommand, timeListing, writeSection } from './lib.mjs'

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '5' },
    write: { type: 'boolean', default: false },
  },
})
const rounds = Number(values.rounds)
const farm = await startFarm(Number(values.sockets))
process.on('exit', () => farm.stop())
console.error(`farm: ${farm.sockets} sockets in ${farm.processes} processes`)

const runs = {
  ssTanp: { label: '`ss -tanp > /dev/null` (owning processes)', run: () => timeCommand('ss', ['-tanp']) },
  netlink: { label: "listSockets({ proto: 'tcp', options: false }) (netlink only, tcp_info)", run: () => timeListing({ proto: 'tcp', options: false }) },
  processes: { label: "listSockets({ proto: 'tcp', options: false, processes: true })", run: () => timeListing({ proto: 'tcp', options: false, processes: true }) },
  pidfd: { label: "listSockets({ proto: 'tcp', options: 'pidfd' }) (every socket's options)", run: () => timeListing({ proto: 'tcp', options: 'pidfd' }) },
  pidfdProcesses: { label: "listSockets({ proto: 'tcp', options: 'pidfd', processes: true })", run: () => timeListing({ proto: 'tcp', options: 'pidfd', processes: true }) },
}
const samples = Object.fromEntries(Object.keys(runs).map((k) => [k, []]))
const extra = { eldMaxMs: [], maxRssMB: [], count: [] }
for (let round = 0; round < rounds; round++) {
  for (const [key, { run }] of Object.entries(runs)) {
    const r = run()
    samples[key].push(r.ms)
    if (key === 'pidfd') {
      extra.eldMaxMs.push(r.eldMaxMs)
      extra.maxRssMB.push(r.maxRssMB)
      extra.count.push(r.count)
    }
  }
  console.error(`round ${round + 1}/${rounds} done`)
}
farm.stop()

const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))
const ratio = (a, b) => (med[a] / med[b]).toFixed(2)
const rows = Object.entries(runs).map(([key, { label }]) => `| ${label} | ${med[key].toFixed(1)} | ${ratio(key, 'ssTanp')}× |`)
const table = `### Options via pidfd, ${farm.sockets} established loopback sockets

Machine: ${machine()}.
Command: \`npm run build && node bench/pidfd.mjs --sockets ${values.sockets} --rounds ${rounds} --write\` (medians of ${rounds} interleaved rounds, as root).
Entries listed: ${median(extra.count)} in ${farm.processes} farm processes. The pidfd listing in a fresh Node process after one warm-up:
peak RSS ${median(extra.maxRssMB).toFixed(0)} MB, largest event-loop delay during the listing ${median(extra.eldMaxMs).toFixed(1)} ms.

| what | median ms | vs \`ss -tanp\` |
|---|---:|---:|
${rows.join('\n')}

Target (docs/performance.md, issue 16): options via pidfd at most 0.5× \`ss -tanp\`: ${ratio('pidfd', 'ssTanp')}× here
(${ratio('pidfdProcesses', 'ssTanp')}× with the processes listed too).`
console.log(table)
if (values.write) writeSection('pidfd', table)

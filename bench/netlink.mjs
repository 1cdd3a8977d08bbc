// The netlink listing against its floor and ss, on a host holding N established
// loopback sockets (spread over several processes).
//
// usage: npm run build && node bench/netlink.mjs [--sockets 100000] [--rounds 7] [--write]
// (npm run bench runs bench/run.mjs, which measures these and more.)
// --write puts the table into docs/performance.md.
import { parseArgs } from 'node:util'
import { buildC, machine, median, startFarm, timeCommand, timeListing, writeSection } from './lib.mjs'

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '7' },
    write: { type: 'boolean', default: false },
  },
})
const rounds = Number(values.rounds)
const floor = buildC('floor')
const farm = await startFarm(Number(values.sockets))
process.on('exit', () => farm.stop())
console.error(`farm: ${farm.sockets} sockets in ${farm.processes} processes`)

const runs = {
  floor: { label: 'C floor: receive the TCP dump (v4+v6, tcp_info), nothing else', run: () => timeCommand(floor, []) },
  knetstatInfo: { label: "listSockets({ proto: 'tcp', options: false }) (tcp_info, in-process, warm)", run: () => timeListing({ proto: 'tcp', options: false }) },
  knetstatPlain: { label: "listSockets({ proto: 'tcp', tcpInfo: false, options: false })", run: () => timeListing({ proto: 'tcp', tcpInfo: false, options: false }) },
  ssTani: { label: '`ss -tani > /dev/null`', run: () => timeCommand('ss', ['-tani']) },
  ssTan: { label: '`ss -tan > /dev/null`', run: () => timeCommand('ss', ['-tan']) },
}
const samples = Object.fromEntries(Object.keys(runs).map((k) => [k, []]))
const extra = { eldMaxMs: [], maxRssMB: [], count: [] }
// Interleaved, so a noisy moment on a shared machine hits every contender alike.
for (let round = 0; round < rounds; round++) {
  for (const [key, { run }] of Object.entries(runs)) {
    const r = run()
    samples[key].push(r.ms)
    if (key === 'knetstatInfo') {
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
const rows = Object.entries(runs).map(([key, { label }]) => `| ${label} | ${med[key].toFixed(1)} | ${ratio(key, 'floor')}× | ${ratio(key, 'ssTani')}× |`)
const table = `### Netlink listing, ${farm.sockets} established loopback sockets

Machine: ${machine()}.
Command: \`npm run build && node bench/netlink.mjs --sockets ${values.sockets} --rounds ${rounds} --write\` (medians of ${rounds} interleaved rounds).
Entries listed: ${median(extra.count)}. listSockets in a fresh Node process after one warm-up listing:
peak RSS ${median(extra.maxRssMB).toFixed(0)} MB, largest event-loop delay during the listing ${median(extra.eldMaxMs).toFixed(1)} ms.

| what | median ms | vs floor | vs \`ss -tani\` |
|---|---:|---:|---:|
${rows.join('\n')}

Targets (DESIGN.md): listSockets with tcp_info at most 2× the floor and at most 0.5× \`ss -tani\`:
${ratio('knetstatInfo', 'floor')}× and ${ratio('knetstatInfo', 'ssTani')}× here.`
console.log(table)
if (values.write) writeSection('netlink', table)

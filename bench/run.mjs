// knetstat against its floor, ss, /proc parsing and the npm peers, on a host holding
// N established loopback sockets (bench/farm.py processes, at most 20,000 fds each).
// Every contender runs once per round, interleaved, so a noisy moment on a shared
// machine hits all of them alike; the table gives medians and ratios.
//
// usage: npm run bench -- [--sockets 100000] [--rounds 5] [--only key,key] [--write]
//   --stream-sockets 1000000   afterwards, a second farm of that many sockets and
//                              streamSockets alone over it (peak RSS, event-loop delay)
//   --stream-only              only that streaming run
//   --warm 3                   warm-up runs before each timed JS run (a long-lived service's steady state)
//   --write                    puts the tables into docs/performance.md
import { createServer } from 'node:net'
import { parseArgs } from 'node:util'
import { buildC, machine, median, startFarm, timeCommand, timeListing, writeSection } from './lib.mjs'

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
    'stream-sockets': { type: 'string' },
    'stream-only': { type: 'boolean', default: false },
    warm: { type: 'string', default: '3' },
    write: { type: 'boolean', default: false },
  },
})
const rounds = Number(values.rounds)
const warm = Number(values.warm)
const timeJs = (query, extra = {}) => timeListing(query, { warm, ...extra })
const floor = buildC('floor')

// One listener of its own: the one-port query finds exactly it among the farm's sockets.
const server = createServer()
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const lonePort = server.address().port

const tcp = { proto: 'tcp' }
const contenders = {
  floor: { label: 'C floor: receive the TCP dump (v4+v6, tcp_info), nothing else', run: () => timeCommand(floor, []) },
  floorOneWalk: { label: 'C floor, both families in one request (one walk of the tables, as knetstat asks)', run: () => timeCommand(floor, ['--one-walk']) },
  floorPort: { label: `C floor of the one-port query: one walk, kernel filter on local port ${lonePort}`, run: () => timeCommand(floor, ['--port', String(lonePort)]) },
  knNetlink: { label: "listSockets({ proto: 'tcp', tcpInfo: false, options: false })", run: () => timeJs({ ...tcp, tcpInfo: false, options: false }) },
  knInfo: { label: "listSockets({ proto: 'tcp', options: false }) (tcp_info)", run: () => timeJs({ ...tcp, options: false }) },
  knStream: { label: "streamSockets({ proto: 'tcp', options: false }) (tcp_info), counted", run: () => timeJs({ ...tcp, options: false }, { kind: 'stream' }) },
  knPort: { label: `listSockets({ proto: 'tcp', options: false, localPort: ${lonePort} }) (one port, kernel filter)`, run: () => timeJs({ ...tcp, options: false, localPort: lonePort }) },
  knProcesses: { label: "listSockets({ proto: 'tcp', options: false, processes: true })", run: () => timeJs({ ...tcp, options: false, processes: true }) },
  knDefault: { label: "listSockets({ proto: 'tcp' }) (the default: tcp_info, options 'auto', the bpf source as root)", run: () => timeJs({ ...tcp }) },
  knBpf: { label: "listSockets({ proto: 'tcp', options: 'bpf' })", run: () => timeJs({ ...tcp, options: 'bpf' }) },
  knPidfd: { label: "listSockets({ proto: 'tcp', options: 'pidfd' }) (every socket's options)", run: () => timeJs({ ...tcp, options: 'pidfd' }) },
  knCheck: { label: `checkSockets({ port: ${lonePort}, expect: ['TCP_NODELAY=0'] }) (a service check: one port, options 'auto', the bpf source as root)`, run: () => timeJs({ port: lonePort, expect: ['TCP_NODELAY=0'] }, { kind: 'check' }) },
  knCheckPidfd: { label: `checkSockets({ port: ${lonePort}, expect: ['TCP_NODELAY=0'], options: 'pidfd' })`, run: () => timeJs({ port: lonePort, expect: ['TCP_NODELAY=0'], options: 'pidfd' }, { kind: 'check' }) },
  ssPort: { label: `\`ss -tan sport = :${lonePort} > /dev/null\` (the service's port)`, run: () => timeCommand('ss', ['-tan', 'sport', '=', `:${lonePort}`]) },
  ssTan: { label: '`ss -tan > /dev/null`', run: () => timeCommand('ss', ['-tan']) },
  ssTani: { label: '`ss -tani > /dev/null`', run: () => timeCommand('ss', ['-tani']) },
  ssTanp: { label: '`ss -tanp > /dev/null`', run: () => timeCommand('ss', ['-tanp']) },
  procNet: { label: 'read and parse /proc/net/tcp + tcp6 in JS', run: () => timeJs(null, { kind: 'procnet' }) },
  busy: { label: 'a busy JS loop for 500 ms, yielding every 0.5 ms (the machine\'s event-loop delay floor)', run: () => timeListing({ ms: 500 }, { kind: 'busy', warm: false }) },
  si: { label: 'systeminformation.networkConnections() (TCP rows)', run: () => timeJs(null, { kind: 'systeminformation' }) },
  netstat: { label: "node-netstat, protocol 'tcp'", run: () => timeJs(null, { kind: 'node-netstat' }) },
}
const keys = values.only ? values.only.split(',') : Object.keys(contenders)
for (const key of keys) if (!(key in contenders)) throw new Error(`--only: no contender ${key}; there are ${Object.keys(contenders).join(', ')}`)

const fmt = (x, digits = 1) => (x === null || x === undefined ? '–' : x.toFixed(digits))
const verdict = (ok) => (ok === undefined ? 'no target' : ok === null ? 'not measured' : ok ? '**met**' : '**not met**')

if (!values['stream-only']) await listing()

async function listing() {
const farm = await startFarm(Number(values.sockets))
let stopped = false
const stop = () => {
  if (!stopped) farm.stop()
  stopped = true
}
process.on('exit', stop)
console.error(`farm: ${farm.sockets} sockets in ${farm.processes} processes; one-port query on ${lonePort}`)

const samples = Object.fromEntries(keys.map((k) => [k, []]))
for (let round = 0; round < rounds; round++) {
  for (const key of keys) {
    try {
      samples[key].push(contenders[key].run())
    } catch (error) {
      console.error(`${key}: ${error.message}`)
    }
  }
  console.error(`round ${round + 1}/${rounds} done`)
}
stop()
server.close()

const med = (key, field) => {
  const v = (samples[key] ?? []).map((s) => s[field]).filter((x) => typeof x === 'number')
  return v.length ? median(v) : null
}
const ratio = (a, b) => {
  const x = med(a, 'ms')
  const y = med(b, 'ms')
  return x === null || y === null ? null : x / y
}
const times = (x) => (x === null ? '–' : `${x.toFixed(2)}×`)
const rows = keys.map((key) =>
  [
    contenders[key].label,
    fmt(med(key, 'ms')),
    times(ratio(key, 'floor')),
    times(ratio(key, 'ssTani')),
    times(ratio(key, 'ssTanp')),
    fmt(med(key, 'count'), 0),
    fmt(med(key, 'maxRssMB'), 0),
    fmt(med(key, 'eldMaxMs')),
  ].join(' | '),
)

const check = (value, limit, below = true) => (value === null ? null : below ? value <= limit : value >= limit)
const knKeys = keys.filter((k) => k.startsWith('kn'))
const busyEld = med('busy', 'eldMaxMs')
const worstEld = knKeys.length ? Math.max(...knKeys.map((k) => med(k, 'eldMaxMs') ?? 0)) : null
const targets = [
  ['the default call, with options (bpf), ≤ 2× the C floor', ratio('knDefault', 'floor'), check(ratio('knDefault', 'floor'), 2)],
  ['the default call, with options (bpf), ≤ 0.5× `ss -tani`', ratio('knDefault', 'ssTani'), check(ratio('knDefault', 'ssTani'), 0.5)],
  ['listSockets with tcp_info, no options, ≤ 2× the C floor', ratio('knInfo', 'floor'), check(ratio('knInfo', 'floor'), 2)],
  ['listSockets with tcp_info, no options, ≤ 0.5× `ss -tani`', ratio('knInfo', 'ssTani'), check(ratio('knInfo', 'ssTani'), 0.5)],
  ['with processes ≤ 0.5× `ss -tanp`', ratio('knProcesses', 'ssTanp'), check(ratio('knProcesses', 'ssTanp'), 0.5)],
  ['with processes ≥ 5× faster than systeminformation', ratio('si', 'knProcesses'), check(ratio('si', 'knProcesses'), 5, false)],
  ['options via pidfd (the unprivileged path) ≤ 0.5× `ss -tanp`', ratio('knPidfd', 'ssTanp'), check(ratio('knPidfd', 'ssTanp'), 0.5)],
  ['one-port query < 5% of the full listing (tcp_info)', ratio('knPort', 'knInfo'), check(ratio('knPort', 'knInfo'), 0.05)],
  ['(its kernel floor: C one-port dump / C full dump)', ratio('floorPort', 'floor'), check(ratio('floorPort', 'floor'), 0.05)],
  ['a service check as root (bpf: one port, but a whole iteration for its options) / `ss -tan sport = :P`', ratio('knCheck', 'ssPort'), undefined],
  ['a service check through pidfd / `ss -tan sport = :P`', ratio('knCheckPidfd', 'ssPort'), undefined],
  ['event-loop delay < 5 ms during every knetstat listing (largest median)', worstEld, check(worstEld, 5)],
  ['(the machine\'s floor: a busy loop yielding every 0.5 ms)', busyEld, check(busyEld, 5)],
].map(([what, value, ok]) => `| ${what} | ${value === null ? '–' : /event|busy/.test(what) ? `${value.toFixed(1)} ms` : `${value.toFixed(3)}×`} | ${verdict(ok)} |`)

const command = `npm run bench -- --sockets ${values.sockets} --rounds ${rounds} --warm ${warm}${values.only ? ` --only ${values.only}` : ''} --write`
const table = `### Listing ${farm.sockets} established loopback sockets

Machine: ${machine()}; shared with other jobs while measured.
Command: \`${command}\` (medians of ${rounds} interleaved rounds, as uid ${process.getuid()}).
Sockets held by ${farm.processes} farm processes (bench/farm.py). Each JS contender runs in a fresh
Node process, after ${warm} warm-up run${warm === 1 ? '' : 's'} (a long-lived service's steady state); peak RSS is the process's (warm-up included; for
commands, /usr/bin/time's); event-loop delay is the largest \`monitorEventLoopDelay\` sample
(1 ms resolution) during the timed run.

| what | median ms | vs floor | vs \`ss -tani\` | vs \`ss -tanp\` | entries | peak RSS MB | max event-loop delay ms |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r} |`).join('\n')}

| target (docs/performance.md) | measured | |
|---|---:|---|
${targets.join('\n')}`
console.log(table)
if (values.write) writeSection('listing', table)

}

if (values['stream-sockets']) {
  const big = await startFarm(Number(values['stream-sockets']))
  process.on('exit', () => big.stop())
  console.error(`stream farm: ${big.sockets} sockets in ${big.processes} processes`)
  const runs = []
  const bpfRuns = []
  for (let i = 0; i < 3; i++) {
    runs.push(timeListing({ ...tcp, options: false }, { kind: 'stream', warm: false }))
    bpfRuns.push(timeListing({ ...tcp, options: 'bpf' }, { kind: 'stream', warm: false }))
  }
  const floors = []
  for (let i = 0; i < 3; i++) floors.push(timeCommand(floor, []))
  big.stop()
  const m = (field) => median(runs.map((r) => r[field]))
  const b = (field) => median(bpfRuns.map((r) => r[field]))
  const streamTable = `### Streaming ${big.sockets} established loopback sockets

Machine: ${machine()}; shared with other jobs while measured.
Command: \`npm run bench -- --stream-only --stream-sockets ${values['stream-sockets']} --write\`
(medians of 3 runs, each in a fresh Node process, no warm-up).

| what | median ms | entries | peak RSS MB | max event-loop delay ms |
|---|---:|---:|---:|---:|
| C floor | ${fmt(median(floors.map((r) => r.ms)))} | – | ${fmt(median(floors.map((r) => r.maxRssMB)), 0)} | – |
| \`for await (const s of streamSockets({ proto: 'tcp', options: false }))\` (tcp_info) | ${fmt(m('ms'))} | ${m('count')} | ${fmt(m('maxRssMB'), 0)} | ${fmt(m('eldMaxMs'))} |
| \`streamSockets({ proto: 'tcp', options: 'bpf' })\` (tcp_info, every socket's options) | ${fmt(b('ms'))} | ${b('count')} | ${fmt(b('maxRssMB'), 0)} | ${fmt(b('eldMaxMs'))} |

Target (docs/performance.md): 1M sockets streamed under 200 MB peak RSS: ${verdict(m('maxRssMB') < 200)} with ${big.sockets} sockets
(${fmt(m('maxRssMB'), 0)} MB); with BPF options: ${verdict(b('maxRssMB') < 200)} (${fmt(b('maxRssMB'), 0)} MB); event-loop delay ${fmt(m('eldMaxMs'))} / ${fmt(b('eldMaxMs'))} ms.`
  console.log(streamTable)
  if (values.write) writeSection('stream', streamTable)
}
process.exit(0)

// Every network namespace in one call: `listSockets({ netns: 'all' })` on a host with
// N namespaces (`ip netns add`) holding M established loopback sockets each
// (bench/farm.py in each), against running `ss -tan` in each namespace (`ss -N NAME`,
// which enters it itself: cheaper than `ip netns exec`), timed in the same rounds.
//
// usage (root): node bench/netns.mjs [--namespaces 100] [--sockets 1000] [--rounds 5] [--write]
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { machine, median, ROOT, timeListing, writeSection } from './lib.mjs'

const { values } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '100' },
    sockets: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    write: { type: 'boolean', default: false },
  },
})
const count = Number(values.namespaces)
const pairs = Math.ceil(Number(values.sockets) / 2)
const rounds = Number(values.rounds)
const names = Array.from({ length: count }, (_, i) => `knetstat-bench-${process.pid}-${i}`)

function ip(...args) {
  const r = spawnSync('ip', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`)
}

const farms = []
function cleanUp() {
  // Killed, not only told: the parent exiting does not always close their stdin first.
  for (const f of farms) f.kill()
  for (const name of names) spawnSync('ip', ['netns', 'del', name])
}
process.on('exit', cleanUp)
process.on('SIGINT', () => process.exit(130))

console.error(`making ${count} namespaces with ${2 * pairs + 1} sockets each...`)
const ready = []
for (const name of names) {
  ip('netns', 'add', name)
  ip('-n', name, 'link', 'set', 'lo', 'up')
  const child = spawn('ip', ['netns', 'exec', name, 'python3', `${ROOT}bench/farm.py`, String(pairs), '127.0.0.1'], { stdio: ['pipe', 'pipe', 'inherit'] })
  farms.push(child)
  ready.push(new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`the farm in ${name} exited (${code})`)))
  }))
}
await Promise.all(ready)

/** `ss -tan` in each namespace, one after the other, as a script would. */
function ssEach() {
  const start = process.hrtime.bigint()
  for (const name of names) {
    const r = spawnSync('ss', ['-N', name, '-tan'], { stdio: ['ignore', 'ignore', 'inherit'] })
    if (r.status !== 0) throw new Error(`ss -N ${name} failed`)
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6 }
}

const contenders = {
  ssEach: { label: `\`ss -N NAME -tan > /dev/null\` for each of the ${count} namespaces`, run: ssEach },
  knAllNetlink: { label: "listSockets({ netns: 'all', proto: 'tcp', options: false })", run: () => timeListing({ netns: 'all', proto: 'tcp', options: false }, { warm: 1 }) },
  knAll: { label: "listSockets({ netns: 'all', proto: 'tcp' }) (tcp_info, options 'auto': the bpf source as root)", run: () => timeListing({ netns: 'all', proto: 'tcp' }, { warm: 1 }) },
  knAllCgroup: { label: "listSockets({ netns: 'all', proto: 'tcp', options: false, cgroup: true, processes: true })", run: () => timeListing({ netns: 'all', proto: 'tcp', options: false, cgroup: true, processes: true }, { warm: 1 }) },
}

const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
const counts = {}
for (let round = 0; round < rounds; round++) {
  for (const [key, c] of Object.entries(contenders)) {
    const r = c.run()
    times[key].push(r.ms)
    if (r.count !== undefined) counts[key] = r.count
  }
  console.error(`round ${round + 1}/${rounds}: ${Object.entries(times).map(([k, v]) => `${k} ${v.at(-1).toFixed(0)} ms`).join(', ')}`)
}
const ss = median(times.ssEach)
const rows = Object.entries(contenders).map(([key, c]) => {
  const ms = median(times[key])
  return `| ${c.label} | ${ms.toFixed(0)} ms | ${(ms / ss).toFixed(2)}× | ${counts[key] ?? ''} |`
})
const table = [
  `${count} network namespaces with ${2 * pairs + 1} TCP sockets each (${count * (2 * pairs + 1)} in all), ${rounds} rounds, medians; ${machine()}.`,
  'Reproduce (root): `npm run build && node bench/netns.mjs --write`.',
  '',
  '| contender | time | × ss in each namespace | entries |',
  '|---|---|---|---|',
  ...rows,
].join('\n')
console.log(table)
const why = [
  "Why the ratio: TCP's socket hash tables are the host's, not a namespace's (unless net.ipv4.tcp_child_ehash_entries",
  'was set when the namespace was made), so every dump of one namespace walks all of them: with 100k sockets on the',
  "host, a namespace of 1,000 costs about what the whole host does. `ss -tan` dumps IPv4 and IPv6 apart (two walks);",
  "knetstat asks for both in one, and listSockets lists a few namespaces at once (src/listing.ts).",
].join('\n')
if (values.write) writeSection('netns', `## Every network namespace\n\n${table}\n\n${why}`)

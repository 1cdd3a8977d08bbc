// The addon's readSocketOptions alone: this checkout's prebuild against REV's, on the
// same targets of one farm, alternated call by call. The listing around it (netlink,
// the /proc scan, the decode) is left out, so a change to the native reader is
// measured without the noise of everything else on a shared machine.
//
// usage: npm run build && node bench/pidfd-native.mjs --base REV [--sockets 100000] [--calls 6]
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { BUILD, machine, median, ROOT, startFarm } from './lib.mjs'
import { listSockets } from '../dist/index.js'
import { targetHints } from '../dist/sources/pidfd/index.js'

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    sockets: { type: 'string', default: '100000' },
    calls: { type: 'string', default: '6' },
  },
})
if (values.base === undefined) {
  console.error('pidfd-native.mjs: --base REV is required (the revision whose prebuild to compare with)')
  process.exit(2)
}
const PREBUILD = 'prebuilds/linux-x64/knetstat.node'
const git = (...args) => execFileSync('git', ['-C', ROOT, ...args])
const baseCommit = git('rev-parse', '--short', `${values.base}^{commit}`).toString().trim()
mkdirSync(BUILD, { recursive: true })
const basePath = `${BUILD}/knetstat-${baseCommit}.node`
writeFileSync(basePath, git('show', `${baseCommit}:${PREBUILD}`))
const require = createRequire(import.meta.url)
const addons = { base: require(basePath), head: require(`${ROOT}${PREBUILD}`) }

const farm = await startFarm(Number(values.sockets))
process.on('exit', () => farm.stop())
// The targets as the pidfd source makes them: one per socket, grouped by process.
const entries = (await listSockets({ proto: 'tcp', options: false, processes: true })).filter((e) => e.processes?.length)
entries.sort((a, b) => a.processes[0].pid - b.processes[0].pid)
// The source's own hints: a base that predates a hint bit ignores it (and reads the value).
const targets = Uint32Array.from(entries.flatMap((e) => [e.processes[0].pid, e.processes[0].fd, e.inode, targetHints(e)]))

const times = { base: [], head: [] }
for (let call = 0; call < Number(values.calls); call++) {
  for (const side of call % 2 === 0 ? ['base', 'head'] : ['head', 'base']) {
    const start = performance.now()
    await addons[side].readSocketOptions(targets)
    times[side].push(performance.now() - start)
  }
}
farm.stop()
const head = git('rev-parse', '--short', 'HEAD').toString().trim()
const [b, h] = [median(times.base), median(times.head)]
console.log(`readSocketOptions of ${targets.length / 4} sockets in ${farm.processes} farm processes, ${values.calls} calls each, alternated.
Machine: ${machine()}.
${baseCommit}: median ${b.toFixed(0)} ms (${times.base.map((x) => x.toFixed(0)).join(', ')})
${head}: median ${h.toFixed(0)} ms (${times.head.map((x) => x.toFixed(0)).join(', ')}): ${(h / b).toFixed(2)}×`)

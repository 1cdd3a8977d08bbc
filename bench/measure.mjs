// One listing in a fresh process, measured from inside: time of the listing after
// one warm-up, the largest event-loop delay during it, and the process's peak RSS.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { listSockets } from '../dist/index.js'

const { query } = JSON.parse(process.argv[2] ?? '{}')
await listSockets(query)
const eld = monitorEventLoopDelay({ resolution: 1 })
eld.enable()
const start = process.hrtime.bigint()
const entries = await listSockets(query)
const ms = Number(process.hrtime.bigint() - start) / 1e6
eld.disable()
process.stdout.write(
  JSON.stringify({ ms, count: entries.length, eldMaxMs: eld.max / 1e6, maxRssMB: process.resourceUsage().maxRSS / 1024 }),
)

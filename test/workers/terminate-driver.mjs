// Terminates worker_threads Workers (test/workers/churner.mjs) at random points while
// they call every native entry point, then checks this process is still whole. Run by
// test/workers/terminate.test.ts in a child process: a C++ exception thrown out of
// the addon during a Worker's teardown aborts the whole process ("terminate called
// after throwing an instance of 'Napi::Error'"), which the test sees as a signal.
//
// Environment: KNETSTAT_ROUNDS terminations per mode (default 32), KNETSTAT_PARALLEL
// Workers alive at once (default 3), KNETSTAT_SEED the random seed (default: random,
// printed), KNETSTAT_MODES a comma-separated subset of the modes.
// Prints one JSON line: what was done and what the main thread saw afterwards.
import { readdirSync, readlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'

const MODULE = new URL('../../dist/index.js', import.meta.url).href
const LOAD = new URL('../../dist/native/load.js', import.meta.url).href
const CHURNER = new URL('./churner.mjs', import.meta.url)
const MODES = [
  'list-no-options',
  'list-auto',
  'list-processes',
  'list-pidfd',
  'stream',
  'stream-abandoned',
  'dump',
  'dump-invalid',
  'cursor',
  'cursor-unclosed',
  'scan',
  'scan-missing-root',
  'sockopt',
  'parse',
]

const rounds = Number(process.env.KNETSTAT_ROUNDS ?? 32)
const parallel = Number(process.env.KNETSTAT_PARALLEL ?? 3)
const seed = Number(process.env.KNETSTAT_SEED ?? Math.floor(Math.random() * 2 ** 31))
const modes = process.env.KNETSTAT_MODES ? process.env.KNETSTAT_MODES.split(',') : MODES

// mulberry32: a seeded generator, so a failing run can be replayed with its seed.
let state = seed >>> 0
function random() {
  state = (state + 0x6d2b79f5) >>> 0
  let x = state
  x = Math.imul(x ^ (x >>> 15), x | 1)
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296
}
// On stderr first: a run that aborts prints nothing else to replay it by.
process.stderr.write(`seed ${seed}\n`)
const between = (low, high) => low + Math.floor(random() * (high - low + 1))

const { listSockets } = await import(MODULE)

// A socket of our own for the pidfd reader to target, and to find after the churn.
const server = createServer()
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const port = server.address().port
function ownSocket() {
  const inodes = new Map()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (m) inodes.set(Number(m[1]), Number(fd))
    } catch {}
  }
  return inodes
}
const listed = await listSockets({ proto: 'tcp', state: 'LISTEN', port, options: false })
const inode = listed[0].inode
const fd = ownSocket().get(inode)
const targets = [process.pid, fd, inode, 0]

const fdCount = () => readdirSync('/proc/self/fd').length

/**
 * Starts a Worker in `mode` and terminates it at a random point: `stage` says what it
 * had reported when the terminate was sent.
 */
async function churnOnce(mode) {
  const worker = new Worker(CHURNER, { workerData: { module: MODULE, load: LOAD, mode, targets } })
  const errors = []
  worker.on('error', (e) => errors.push(String(e?.stack ?? e)))
  let loaded = false
  let calls = 0
  worker.on('message', (m) => {
    if (m === 'loaded') loaded = true
    else if (m === 'call') calls++
  })
  const plan = random()
  if (plan < 0.35) {
    // From spawn: before the import, during it, while the addon initialises.
    await sleep(between(0, 60))
  } else if (plan < 0.55) {
    // Just after the addon loaded: the first calls enter the addon.
    await new Promise((resolve) => worker.once('message', resolve))
    if (random() < 0.5) await sleep(between(0, 2))
  } else {
    // Some calls in: work items on the thread pool, completions settling.
    const wanted = between(1, 4)
    await new Promise((resolve) => {
      const onMessage = () => {
        if (calls >= wanted) {
          worker.off('message', onMessage)
          resolve()
        }
      }
      worker.on('message', onMessage)
    })
    const pause = between(0, 3)
    if (pause > 0) await sleep(pause)
    else await new Promise((resolve) => setImmediate(resolve))
  }
  const stage = !loaded ? 'before-loaded' : calls === 0 ? 'loaded' : 'calling'
  const code = await worker.terminate()
  return { stage, code, errors, calls }
}

const started = process.hrtime.bigint()
// Warm up once: libuv's pool threads and Node's worker plumbing open fds of their own.
await churnOnce('dump')
await listSockets({ options: false })
const baseline = fdCount()

const stages = { 'before-loaded': 0, loaded: 0, calling: 0 }
const byMode = {}
const exitCodes = {}
const errors = []
let terminated = 0
let callsSeen = 0
for (const mode of modes) {
  byMode[mode] = 0
  let next = 0
  const lane = async () => {
    while (next < rounds) {
      next++
      const r = await churnOnce(mode)
      stages[r.stage]++
      byMode[mode]++
      exitCodes[r.code] = (exitCodes[r.code] ?? 0) + 1
      callsSeen += r.calls
      errors.push(...r.errors.map((e) => `${mode}: ${e}`))
      terminated++
    }
  }
  await Promise.all(Array.from({ length: parallel }, lane))
}

// The process is whole: the main thread still lists, with holders and options, and
// what the terminated Workers had open was closed with their environments.
const after = await listSockets({ proto: 'tcp', state: 'LISTEN', port, processes: true, options: 'pidfd' })
const mine = after.find((e) => e.inode === inode)
let fds = fdCount()
for (let i = 0; i < 100 && fds > baseline; i++) {
  await sleep(50)
  fds = fdCount()
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9
server.close()
process.stdout.write(
  JSON.stringify({
    seed,
    terminated,
    byMode,
    stages,
    exitCodes,
    callsSeen,
    errors: errors.slice(0, 5),
    errorCount: errors.length,
    after: mine === undefined ? null : { pids: mine.processes.map((p) => p.pid), source: mine.optionsSource, reuseAddr: mine.options?.SO_REUSEADDR ?? null },
    pid: process.pid,
    baseline,
    fds,
    seconds,
  }) + '\n',
)

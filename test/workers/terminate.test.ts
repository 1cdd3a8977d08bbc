// Hundreds of worker_threads Workers terminated at random points while they call every
// native entry point (fixtures/terminate-driver.mjs, in a child process so that an
// abort is seen as the child's signal rather than the test's own death): the process
// survives, still lists with holders and options, and is left with no extra fd.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const DRIVER = fileURLToPath(new URL('./fixtures/terminate-driver.mjs', import.meta.url))
const MODES = 16
// 16 modes x 16: 256 terminations, about 55 s of CPU (Worker start-ups, mostly).
const ROUNDS = 16

interface DriverResult {
  seed: number
  terminated: number
  byMode: Record<string, number>
  stages: { 'before-loaded': number; loaded: number; calling: number }
  exitCodes: Record<string, number>
  callsSeen: number
  errors: string[]
  errorCount: number
  after: { pids: number[]; source: string | null; reuseAddr: boolean | null } | null
  pid: number
  baseline: number
  fds: number
  seconds: number
  cpuSeconds: number
}

async function runDriver(env: Record<string, string>): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  // Without tap's loaders (NODE_OPTIONS): every Worker would start them too.
  const { NODE_OPTIONS: _, ...clean } = process.env
  const child = spawn(process.execPath, [DRIVER], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (c, s) => resolve([c, s]))
  })
  return { code, signal, stdout, stderr }
}

t.test('Workers terminated at random points in every native entry point take nothing down', async (t) => {
  const run = await runDriver({ KNETSTAT_ROUNDS: String(ROUNDS), KNETSTAT_PARALLEL: '3' })
  // The seed is on stderr's first line: KNETSTAT_SEED=<seed> replays the same plan.
  t.notMatch(run.stderr, /terminate called|FATAL ERROR|Aborted|Segmentation/, 'no abort in the child')
  t.equal(run.signal, null, `the child was not killed by a signal (${run.stderr.split('\n')[0]})`)
  t.equal(run.code, 0, 'the child exited normally')
  if (run.code !== 0) return
  const result = JSON.parse(run.stdout) as DriverResult
  t.comment(
    `${result.terminated} terminations in ${result.seconds.toFixed(1)} s, ${result.cpuSeconds.toFixed(1)} s of CPU (seed ${result.seed}): ` +
      `${result.stages['before-loaded']} before the addon loaded, ${result.stages.loaded} right after, ` +
      `${result.stages.calling} during calls (${result.callsSeen} call rounds started)`,
  )
  t.equal(result.terminated, MODES * ROUNDS, 'every planned Worker was started and terminated')
  t.equal(Object.keys(result.byMode).length, MODES, 'every mode ran')
  for (const [mode, count] of Object.entries(result.byMode)) t.equal(count, ROUNDS, `${mode}: every round`)
  t.ok(result.stages['before-loaded'] > 0, 'some Workers were terminated before the addon was loaded')
  t.ok(result.stages.calling > 0, 'some Workers were terminated during calls')
  t.same(result.errors, [], 'no Worker raised an error event')
  t.same(Object.keys(result.exitCodes).filter((c) => c !== '0' && c !== '1'), [], 'every Worker ended by terminate (exit code 1, or 0 before it ran)')
  t.same(result.after, { pids: [result.pid], source: 'pidfd', reuseAddr: true }, "afterwards the main thread lists its own socket with its holder and options")
  t.ok(result.fds <= result.baseline, `no fd left behind (baseline ${result.baseline}, now ${result.fds})`)
})

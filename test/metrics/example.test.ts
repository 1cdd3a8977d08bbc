// examples/health-server.mjs runs against the built package: spawned on an ephemeral
// port, /health answers 200 or 503 for the sockets this test holds, /metrics answers
// with knetstat's gauges and Node's default metrics.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readyLine } from '../helpers/child.js'
import { holdHealthSockets } from '../helpers/health-sockets.js'
import { parseExposition, value } from './scrape.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const example = join(root, 'examples/health-server.mjs')

/** The newest mtime under a directory (of .ts files). */
function newest(dir: string): number {
  let max = 0
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name)
    if (name.isDirectory()) max = Math.max(max, newest(path))
    else if (name.name.endsWith('.ts')) max = Math.max(max, statSync(path).mtimeMs)
  }
  return max
}

// The example imports the built package (dist/): build it when it is missing or older
// than the sources (`npm test` builds first anyway).
const built = ['dist/index.js', 'dist/prometheus.js', 'dist/health/summary.js'].map((f) => join(root, f))
if (!built.every(existsSync) || Math.min(...built.map((f) => statSync(f).mtimeMs)) < newest(join(root, 'src'))) {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' })
  if (!built.every(existsSync)) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`)
}

const held = await holdHealthSockets()
t.teardown(() => held.close())
const { ports } = held.info

async function startExample(args: string[]): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [example, '--port', '0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
  })
  const line = await readyLine(child, 'the example')
  const m = /http:\/\/(127\.0\.0\.1:\d+)\/health/.exec(line)
  if (m === null) throw new Error(`unexpected first line: ${line}`)
  return { base: `http://${m[1]}`, child }
}

interface HealthBody {
  ok: boolean
  problems: string[]
  warnings: string[]
  expectations: { checked: number }
  acceptQueues: { full: { entry: string; length: number; limit: number }[] }
}

t.test('a healthy port: 200 with the summary; /metrics with knetstat and Node metrics', async (t) => {
  const { base, child } = await startExample(['--watch', String(ports.tuned), '--expect', 'TCP_NODELAY=1', '--expect', 'SO_KEEPALIVE=1', '--scope', 'watched', '--count-options', 'TCP_NODELAY'])
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 200)
  t.match(health.headers.get('content-type'), /application\/json/)
  const body = (await health.json()) as HealthBody
  t.equal(body.ok, true, body.problems.join('\n'))
  t.equal(body.expectations.checked, 3, 'listener, client and accepted socket checked')

  const metrics = await fetch(`${base}/metrics`)
  t.equal(metrics.status, 200)
  t.match(metrics.headers.get('content-type'), /^text\/plain/)
  const samples = parseExposition(await metrics.text())
  t.equal(value(samples, 'knetstat_port_sockets', { port: ports.tuned, proto: 'tcp', side: 'local', state: 'LISTEN' }), 1)
  t.equal(value(samples, 'knetstat_port_sockets', { port: ports.tuned, proto: 'tcp', side: 'remote', state: 'ESTABLISHED' }), 1)
  t.equal(value(samples, 'knetstat_port_accept_queue_limit', { port: ports.tuned, family: 4 }), 16)
  t.equal(value(samples, 'knetstat_option_sockets', { option: 'TCP_NODELAY', value: '1' }), 3)
  t.equal(value(samples, 'knetstat_listings_total'), 1)
  t.ok(samples.some((s) => s.name === 'process_cpu_user_seconds_total'), "Node's default metrics too")

  t.equal((await fetch(`${base}/nothing`)).status, 404)
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
  t.equal(child.exitCode, 0, 'stops cleanly on SIGTERM')
})

t.test('a full accept queue: 503 naming the listener', async (t) => {
  const { base } = await startExample(['--watch', String(ports.full), '--scope', 'watched'])
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 503)
  const body = (await health.json()) as HealthBody
  t.equal(body.ok, false)
  t.match(body.problems[0], new RegExp(`^tcp 127\\.0\\.0\\.1:${ports.full} -> 0\\.0\\.0\\.0:\\* LISTEN: accept queue full`))
  t.equal(body.acceptQueues.full[0]?.entry, `tcp 127.0.0.1:${ports.full} -> 0.0.0.0:* LISTEN`, 'sockets named, not dumped')
  t.equal(body.acceptQueues.full[0]?.limit, 2)
  const samples = parseExposition(await (await fetch(`${base}/metrics`)).text())
  t.equal(value(samples, 'knetstat_accept_queue_full_listeners'), 1)
})

t.test('a broken expectation: 503 with what the sockets have', async (t) => {
  const { base } = await startExample(['--watch', String(ports.plain), '--expect', 'TCP_NODELAY=1', '--scope', 'watched'])
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 503)
  const body = (await health.json()) as HealthBody
  t.equal(body.problems.length, 3)
  t.ok(body.problems.every((p) => p.endsWith('expected TCP_NODELAY=1, has TCP_NODELAY=0')), body.problems.join('\n'))
})

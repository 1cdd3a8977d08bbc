// examples/health-server.mjs runs against the built package: spawned on an ephemeral
// port, /health answers 200 or 503 for the services this test holds (createHealthCheck),
// /metrics answers with knetstat's gauges, the same check and Node's default metrics.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readyLine } from '../helpers/child.js'
import { holdHealthSockets } from '../helpers/health-sockets.js'
import { parseExposition, value } from './scrape.js'
import type { HealthBody as Body } from '../../src/index.js'

type HealthBody = Extract<Body, { findings: unknown }>

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
const built = ['dist/index.js', 'dist/prometheus.js', 'dist/health/check.js'].map((f) => join(root, f))
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

t.test('a healthy service: 200 with the verdict; /metrics with knetstat and Node metrics', async (t) => {
  const { base, child } = await startExample(['--service', String(ports.tuned), '--expect', 'TCP_NODELAY=1', '--expect', 'SO_KEEPALIVE=1', '--scope', 'service', '--count-options', 'TCP_NODELAY'])
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 200)
  t.match(health.headers.get('content-type'), /application\/json/)
  const body = (await health.json()) as HealthBody
  t.equal(body.status, 'ok', body.problems.join('\n'))
  t.equal(body.listeners, 1)
  t.equal(body.judged, 1, 'the accepted connection judged; the client is not the service')

  const metrics = await fetch(`${base}/metrics`)
  t.equal(metrics.status, 200)
  t.match(metrics.headers.get('content-type'), /^text\/plain/)
  const samples = parseExposition(await metrics.text())
  t.equal(value(samples, 'knetstat_port_sockets', { port: ports.tuned, proto: 'tcp', side: 'local', state: 'LISTEN' }), 1)
  t.equal(value(samples, 'knetstat_port_accept_queue_limit', { port: ports.tuned, family: 4 }), 16)
  t.equal(value(samples, 'knetstat_option_sockets', { option: 'TCP_NODELAY', value: '1' }), 2, 'listener and accepted (the scope is the local port)')
  t.equal(value(samples, 'knetstat_check_status', { check: 'service', status: 'ok' }), 1, 'the collector says what /health says')
  t.equal(value(samples, 'knetstat_listings_total'), 1)
  t.ok(samples.some((s) => s.name === 'process_cpu_user_seconds_total'), "Node's default metrics too")

  t.equal((await fetch(`${base}/nothing`)).status, 404)
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
  t.equal(child.exitCode, 0, 'stops cleanly on SIGTERM')
})

t.test('a full accept queue: 503 naming the listener', async (t) => {
  const { base } = await startExample(['--service', String(ports.full), '--scope', 'service'])
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 503)
  const body = (await health.json()) as HealthBody
  t.equal(body.status, 'fail')
  t.match(body.problems[0], new RegExp(`^accept queue full: \\d+ waiting over a limit of 2, new connections are dropped: tcp 127\\.0\\.0\\.1:${ports.full} -> 0\\.0\\.0\\.0:\\* LISTEN$`))
  t.same(body.findings[0]?.sockets, [`tcp 127.0.0.1:${ports.full} -> 0.0.0.0:* LISTEN`], 'sockets named, not dumped')
  const samples = parseExposition(await (await fetch(`${base}/metrics`)).text())
  t.equal(value(samples, 'knetstat_accept_queue_full_listeners'), 1)
  t.equal(value(samples, 'knetstat_check_status', { check: 'service', status: 'fail' }), 1)
})

t.test('a broken expectation: 503 with what the connection has', async (t) => {
  const { base } = await startExample(['--service', String(ports.plain), '--expect', 'TCP_NODELAY=1', '--scope', 'service'])
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 503)
  const body = (await health.json()) as HealthBody
  t.same(body.problems.length, 1)
  t.match(body.problems[0], /^TCP_NODELAY=1 expected on connections: has TCP_NODELAY=0: tcp 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ ESTABLISHED$/)
  t.match(body.findings[0], { option: 'TCP_NODELAY', role: 'connections', expected: '1', actual: '0', count: 1 })
})

t.test("a service that is not there: 503, not a 200 for a dead service", async (t) => {
  const { base } = await startExample(['--service', '1'])
  const health = await fetch(`${base}/health`)
  t.equal(health.status, 503)
  t.match(((await health.json()) as HealthBody).problems, [/^no listener: nothing serves the tcp service on port 1$/])
})

// createHealthCheck: at most one listing per interval however often it is probed
// (concurrent probes share one), a verdict as 200 or 503 with JSON over a real
// node:http server, and a failed listing as 503 for its interval, not a retry per probe.
import { createServer } from 'node:http'
import t from 'tap'
import { createHealthCheck, listSockets, type HealthBody, type ListQuery, type SocketEntry } from '../../src/index.js'
import { holdHealthSockets } from '../helpers/health-sockets.js'

const held = await holdHealthSockets()
t.teardown(() => held.close())
const { ports } = held.info

function counting(list: (q: ListQuery) => Promise<SocketEntry[]> = listSockets): { list: (q: ListQuery) => Promise<SocketEntry[]>; calls: number } {
  const c = {
    calls: 0,
    list: (q: ListQuery): Promise<SocketEntry[]> => {
      c.calls++
      return list(q)
    },
  }
  return c
}

t.test('probes within the interval share one listing', async (t) => {
  const lister = counting()
  const health = createHealthCheck({ port: ports.tuned, expect: ['TCP_NODELAY=1'] }, { intervalMs: 60_000, list: lister.list })
  const burst = await Promise.all(Array.from({ length: 50 }, () => health.response()))
  t.equal(lister.calls, 1, '50 concurrent probes, one listing')
  t.ok(burst.every((r) => r.statusCode === 200 && r.body.status === 'ok'))
  for (let i = 0; i < 10; i++) await health.response()
  t.equal(lister.calls, 1, 'ten more probes within the interval: still one')
  const first = await health.result()
  t.equal(await health.result(), first, 'the same verdict object')

  const every = counting()
  const eager = createHealthCheck({ port: ports.tuned }, { intervalMs: 0, list: every.list })
  await eager.result()
  await eager.result()
  t.equal(every.calls, 2, 'intervalMs 0: every probe lists')
})

t.test('the handler answers 200 or 503 with the verdict as JSON; HEAD without a body', async (t) => {
  const healthy = createHealthCheck({ port: ports.tuned, expect: ['TCP_NODELAY=1'] })
  const full = createHealthCheck({ port: ports.full })
  const server = createServer((req, res) => (req.url === '/full' ? full : healthy).handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`

  const ok = await fetch(`${base}/`)
  t.equal(ok.status, 200)
  t.equal(ok.headers.get('cache-control'), 'no-store')
  const body = (await ok.json()) as Extract<HealthBody, { findings: unknown }>
  t.match(body, { status: 'ok', ok: true, target: { kind: 'service', proto: 'tcp', port: ports.tuned }, listeners: 1 })
  t.ok(!Number.isNaN(Date.parse(body.checkedAt)), 'when the verdict was made')

  const bad = await fetch(`${base}/full`)
  t.equal(bad.status, 503)
  t.match(await bad.json(), { status: 'fail', ok: false, problems: [/^accept queue full/] })

  const head = await fetch(`${base}/full`, { method: 'HEAD' })
  t.equal(head.status, 503)
  t.equal(await head.text(), '')
})

t.test('a listing that fails is 503 with its error, for the whole interval', async (t) => {
  const failing = counting(async () => {
    throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' })
  })
  const health = createHealthCheck({ port: ports.tuned }, { intervalMs: 60_000, list: failing.list })
  const first = await health.response()
  t.equal(first.statusCode, 503)
  t.match(first.body, { status: 'unknown', ok: false, error: { code: 'EPERM', message: 'cannot list sockets: operation not permitted' } })
  await health.response()
  t.equal(failing.calls, 1, 'not retried on every probe')
  await t.rejects(health.result(), { code: 'EPERM' }, 'result() rejects as the listing did')
})

t.test('bad checks and options fail at creation', async (t) => {
  t.throws(() => createHealthCheck({ port: 8080, expect: ['TCP_NODLAY=1'] }), { name: 'TypeError', message: /did you mean TCP_NODELAY/ })
  t.throws(() => createHealthCheck({ port: 8080 }, { intervalMs: -1 }), { name: 'TypeError', message: /intervalMs must be a non-negative integer/ })
  t.throws(() => createHealthCheck({ port: 0 }), { name: 'TypeError', message: /^createHealthCheck: port must be a port 1-65535, got 0$/ })
})

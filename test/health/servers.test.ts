// A check of a real service (test/helpers/servers: PostgreSQL, Redis, nginx) healthy,
// idle, misconfigured and stopped, through the library, the command and the collector
// (checkThreeWays) and the health endpoint: all four agree, on the verdict the case
// calls for.
import t from 'tap'
import { checkSockets, createHealthCheck, listSockets, type CheckResult, type CheckStatus, type SocketCheck } from '../../src/index.js'
import { agreed, checkThreeWays } from '../helpers/check-three-ways.js'
import { rawClient } from '../helpers/servers/client.js'
import type { Server } from '../helpers/servers/common.js'
import { NGINX_MISSING, startNginx } from '../helpers/servers/nginx.js'
import { POSTGRES_MISSING, startPostgres } from '../helpers/servers/postgres.js'
import { REDIS_MISSING, startRedis } from '../helpers/servers/redis.js'

interface Service {
  name: string
  missing: string | null
  /** What an operator following the server's docs would check. */
  expect: string[]
  expectListener: string[]
  misconfig: string
  /** The options the misconfigured server breaks on its connections. */
  broken: string[]
  start(config: 'healthy' | 'misconfigured'): Promise<Server<string>>
}

const services: Service[] = [
  {
    name: 'postgres',
    missing: POSTGRES_MISSING,
    expect: ['SO_REUSEADDR=1', 'TCP_NODELAY=1', 'SO_KEEPALIVE=1', 'TCP_KEEPIDLE=60'],
    expectListener: [],
    misconfig: 'default-keepalive',
    broken: ['TCP_KEEPIDLE'],
    start: (c) => startPostgres({ config: c === 'healthy' ? 'healthy' : 'default-keepalive' }),
  },
  {
    name: 'redis',
    missing: REDIS_MISSING,
    expect: ['SO_REUSEADDR=1', 'TCP_NODELAY=1', 'SO_KEEPALIVE=1', 'TCP_KEEPIDLE=300'],
    expectListener: [],
    misconfig: 'no-keepalive',
    broken: ['SO_KEEPALIVE', 'TCP_KEEPIDLE'],
    start: (c) => startRedis({ config: c === 'healthy' ? 'healthy' : 'no-keepalive' }),
  },
  {
    name: 'nginx',
    missing: NGINX_MISSING,
    // so_keepalive=on is set on the listener; accepted connections inherit it.
    expect: ['SO_REUSEADDR=1', 'TCP_NODELAY=1', 'SO_KEEPALIVE=1'],
    expectListener: ['SO_KEEPALIVE=1'],
    misconfig: 'no-nodelay',
    broken: ['TCP_NODELAY'],
    start: (c) => startNginx({ config: c === 'healthy' ? 'healthy' : 'no-nodelay' }),
  },
]

/** A test's `t` (tap's Test with its plugins), for helpers that assert. */
type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

const CLIENTS = 2
const EXIT: Record<CheckStatus, number> = { ok: 0, fail: 1, unknown: 3 }

function checkOf(s: Service, port: number): SocketCheck {
  return { port, expect: s.expect, ...(s.expectListener.length > 0 ? { expectListener: s.expectListener } : {}) }
}

/** What a finding is about, as the library and the JSON both say it. */
const about = (f: { status: string; check: string; option?: string; role?: string }) => `${f.status} ${f.check} ${f.option ?? ''} ${f.role ?? ''}`

/** The check three ways (checkThreeWays) and through the health endpoint; all four must say `want`. */
async function judge(t: Tap, s: Service, port: number, want: CheckStatus): Promise<CheckResult> {
  const check = checkOf(s, port)
  const three = await checkThreeWays(check)
  t.equal(agreed(three), want, `library, command and collector agree: ${want}`)
  const { library, command } = three
  t.equal(command.status, EXIT[want], `command: exit ${EXIT[want]}`)
  t.same(command.json.findings.map(about), library.findings.map(about), 'the command finds what the library finds')
  t.same([command.json.listeners, command.json.connections], [library.listeners.length, library.connections.length], 'and counts the same sockets')
  const { statusCode, body } = await createHealthCheck(check, { intervalMs: 0 }).response()
  t.same([statusCode, body.status], [want === 'ok' ? 200 : 503, want], `endpoint: ${want === 'ok' ? 200 : 503}`)
  return library
}

for (const s of services) {
  t.test(s.name, { skip: s.missing ?? false }, async (t) => {
    t.test('healthy, idle, then stopped', async (t) => {
      const server = await s.start('healthy')
      t.teardown(() => server.stop())

      const idle = await judge(t, s, server.port, 'ok')
      t.equal(idle.listeners.length, 1, 'idle: one listener')
      t.equal(idle.connections.length, 0, 'idle: no connection, and that is fine')

      await server.connect(CLIENTS)
      const healthy = await judge(t, s, server.port, 'ok')
      t.equal(healthy.judged, CLIENTS, `healthy: ${CLIENTS} connections judged`)
      t.same(healthy.findings, [], 'healthy: nothing found')

      await server.stop()
      const stopped = await judge(t, s, server.port, 'fail')
      t.same(
        stopped.findings.map((f) => [f.status, f.check]),
        [['fail', 'listener']],
        'stopped: the one problem is that nothing listens',
      )
    })

    t.test(s.misconfig, async (t) => {
      const server = await s.start('misconfigured')
      t.teardown(() => server.stop())
      await server.connect(CLIENTS)
      const misconfigured = await judge(t, s, server.port, 'fail')
      t.same(
        misconfigured.findings.map((f) => [f.status, f.option, f.role, f.entries.length]),
        s.broken.map((option) => ['fail', option, 'connections', CLIENTS]),
        `${s.broken.join(', ')} broken on each connection, nothing on the listener`,
      )
      // pidfd reads the value in effect: one equal to the system's default (7200 s of
      // keepalive idle) is undecidable, whether set or not, yet it is not 60 either way.
      const pidfd = await checkSockets({ ...checkOf(s, server.port), options: 'pidfd' })
      t.equal(pidfd.status, 'fail', 'the pidfd source fails it too')
    })
  })
}

// nginx sets TCP_NODELAY only when a connection enters keep-alive after a response
// (ngx_http_set_keepalive): a healthy nginx fails a TCP_NODELAY=1 check for as long as
// a connection waits for its first response.
t.test('nginx healthy, with a connection that has had no response yet', { skip: NGINX_MISSING ?? false }, async (t) => {
  const s = services.find((x) => x.name === 'nginx') as Service
  const server = await s.start('healthy')
  t.teardown(() => server.stop())
  const [served] = await server.connect(1)
  const fresh = await rawClient(server.port, [])
  t.teardown(() => fresh.close())
  await accepted(server.port, fresh.localPort)
  const result = await judge(t, s, server.port, 'fail')
  t.same(
    result.findings.map((f) => [f.option, f.actual, f.entries.map((e) => e.remote.port)]),
    [['TCP_NODELAY', false, [fresh.localPort]]],
    `only the new connection (:${fresh.localPort}) lacks TCP_NODELAY, not the kept-alive one (:${served?.localPort})`,
  )
})

/** Waits until the server has accepted the connection from `clientPort`: until then it waits in the accept queue, has no file and is not judged. */
async function accepted(port: number, clientPort: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [entry] = await listSockets({ proto: 'tcp', localPort: port, remotePort: clientPort, options: false })
    if (entry?.inode != null && entry.inode !== 0) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`the connection from :${clientPort} is still not accepted after 2 s`)
}

// The real-server harness (test/helpers/servers): each server, healthy and
// misconfigured, with idle clients, carries on its listener and accepted connections
// the options its helper records, and leaves no listener once stopped.
import t from 'tap'
import { listSockets, type SocketEntry } from '../../src/index.js'
import { rawClient } from '../helpers/servers/client.js'
import type { Server } from '../helpers/servers/common.js'
import { NGINX_ACCEPTED_NEW, NGINX_BACKLOG, NGINX_EXPECTED, NGINX_MISSING, startNginx } from '../helpers/servers/nginx.js'
import { POSTGRES_BACKLOG, POSTGRES_EXPECTED, POSTGRES_MISSING, startPostgres } from '../helpers/servers/postgres.js'
import { REDIS_BACKLOG, REDIS_EXPECTED, REDIS_MISSING, startRedis } from '../helpers/servers/redis.js'

type Expected = { listener: Record<string, unknown>; accepted: Record<string, unknown> }

interface Case {
  name: string
  missing: string | null
  backlog: number
  expected: Record<string, Expected>
  start(config: string): Promise<Server<string>>
}

const cases: Case[] = [
  { name: 'postgres', missing: POSTGRES_MISSING, backlog: POSTGRES_BACKLOG, expected: POSTGRES_EXPECTED, start: (c) => startPostgres({ config: c as 'healthy' }) },
  { name: 'redis', missing: REDIS_MISSING, backlog: REDIS_BACKLOG, expected: REDIS_EXPECTED, start: (c) => startRedis({ config: c as 'healthy' }) },
  { name: 'nginx', missing: NGINX_MISSING, backlog: NGINX_BACKLOG, expected: NGINX_EXPECTED, start: (c) => startNginx({ config: c as 'healthy' }) },
]

const CLIENTS = 2

const list = (port: number) => listSockets({ options: 'bpf', proto: 'tcp', localPort: port, processes: true })

/** The entry's values of the expected options (undefined: not set), to compare with t.same. */
function optionsOf(entry: SocketEntry | undefined, expected: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(expected).map((name) => [name, (entry?.options as Record<string, unknown> | null | undefined)?.[name]]))
}

for (const c of cases) {
  t.test(c.name, { skip: c.missing ?? false }, async (t) => {
    const [healthy, misconfigured] = Object.keys(c.expected) as [string, string]
    const healthyAccepted = (c.expected[healthy] as Expected).accepted
    for (const config of [healthy, misconfigured]) {
      t.test(config, async (t) => {
        const expected = c.expected[config] as Expected
        const server = await c.start(config)
        t.teardown(() => server.stop())

        const idle = await list(server.port)
        t.same(idle.map((e) => e.state), ['LISTEN'], 'idle: the listener alone')

        const clients = await server.connect(CLIENTS)
        const entries = await list(server.port)
        const listener = entries.find((e) => e.state === 'LISTEN')
        t.ok(listener?.processes?.some((p) => p.pid === server.pid), `the listener is held by ${c.name} (pid ${server.pid})`)
        t.equal(listener?.backlog, c.backlog, `backlog ${c.backlog}`)
        t.equal(listener?.optionsSource, 'bpf')
        t.same(optionsOf(listener, expected.listener), expected.listener, 'the listener’s options')

        const accepted = entries.filter((e) => e.state === 'ESTABLISHED')
        t.same(accepted.map((e) => e.remote.port).sort(), clients.map((cl) => cl.localPort).sort(), `${CLIENTS} accepted connections, one per client`)
        for (const a of accepted) t.same(optionsOf(a, expected.accepted), expected.accepted, `the options of the connection from :${a.remote.port}`)
        if (config === misconfigured) {
          const differs = Object.keys(healthyAccepted).filter((k) => healthyAccepted[k] !== expected.accepted[k])
          t.ok(differs.length > 0, `${config} differs from ${healthy} in ${differs.join(', ')}`)
          for (const a of accepted) for (const k of differs) t.not((a.options as Record<string, unknown> | null)?.[k], healthyAccepted[k], `accepted: not ${k}=${String(healthyAccepted[k])}`)
        }

        server.closeClients()
        t.same((await list(server.port)).map((e) => e.state), ['LISTEN'], 'clients reset: idle again, no TIME_WAIT')

        await server.stop()
        t.same(await list(server.port), [], 'stopped: no listener, no connection')
      })
    }
  })
}

t.test('nginx: a connection has TCP_NODELAY only once kept alive after a response', { skip: NGINX_MISSING ?? false }, async (t) => {
  const server = await startNginx({ config: 'healthy' })
  t.teardown(() => server.stop())
  const fresh = await rawClient(server.port, [])
  t.teardown(() => fresh.close())
  const entries = await list(server.port)
  const accepted = entries.find((e) => e.state === 'ESTABLISHED' && e.remote.port === fresh.localPort)
  t.same(optionsOf(accepted, NGINX_ACCEPTED_NEW), NGINX_ACCEPTED_NEW, 'before a request: no TCP_NODELAY')
})

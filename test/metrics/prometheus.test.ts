// registerSocketMetrics: a real prom-client Registry served over node:http and scraped
// with fetch(), checked against sockets this test holds and against the recorded text
// fixtures; one listing per scrape; a failing listing is counted and the scrape answers.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Counter, Registry } from 'prom-client'
import t from 'tap'
import { listSockets, summarizeSockets, type ListQuery, type SocketEntry } from '../../src/index.js'
import { registerSocketMetrics } from '../../src/prometheus.js'
import { hasOptions } from '../../src/health/expect.js'
import { listenerPorts, holdHealthSockets } from '../helpers/health-sockets.js'
import { TEXT_FIXTURES as fixtures } from '../helpers/knetstat-text.js'
import { find, scrape, serveRegistry, value } from './scrape.js'

/** listSockets, counting its calls and keeping what it returned last. */
function countingLister(): { list: (q: ListQuery) => Promise<SocketEntry[]>; calls: number; last: SocketEntry[] } {
  const lister = {
    calls: 0,
    last: [] as SocketEntry[],
    async list(q: ListQuery): Promise<SocketEntry[]> {
      lister.calls++
      lister.last = await listSockets(q)
      return lister.last
    },
  }
  return lister
}

t.test('live sockets: the values match what the test holds, one listing per scrape', async (t) => {
  const held = await holdHealthSockets()
  t.teardown(() => held.close())
  const { ports, backlogs, waiting } = held.info
  const registry = new Registry()
  const lister = countingLister()
  const metrics = registerSocketMetrics(registry, {
    query: { proto: 'tcp', family: 4, port: listenerPorts(held.info) },
    ports: [ports.full, ports.nearly, ports.tuned],
    options: ['TCP_NODELAY', 'SO_KEEPALIVE', 'SO_RCVBUF'],
    list: lister.list,
  })
  const server = await serveRegistry(registry)
  t.teardown(() => server.close())

  // The zero-window flags appear as the buffers fill: scrape until the writer's is up.
  let s = await scrape(server.url)
  for (let i = 0; i < 100 && value(s.samples, 'knetstat_diag_sockets', { flag: 'sendWindowZero' }) !== 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    s = await scrape(server.url)
  }
  const { samples } = s
  const scrapes = lister.calls
  t.equal(s.status, 200)
  t.equal(value(samples, 'knetstat_listings_total'), scrapes, 'one listing per scrape, as the counter says')
  t.equal(metrics.lastError, null)
  t.equal(value(samples, 'knetstat_listing_success'), 1)
  t.equal(value(samples, 'knetstat_listing_errors_total'), 0)
  t.ok((value(samples, 'knetstat_listing_duration_seconds') ?? -1) > 0, 'a listing duration')
  const entries = lister.last
  const summary = summarizeSockets(entries)

  t.equal(value(samples, 'knetstat_sockets', { proto: 'tcp', family: 4, state: 'LISTEN' }), 6, 'six listeners')
  t.equal(value(samples, 'knetstat_listeners'), 6)
  for (const g of summary.counts.groups) {
    t.equal(value(samples, 'knetstat_sockets', { proto: g.proto, family: g.family, state: g.state }), g.count, `${g.proto}${g.family} ${g.state}`)
  }
  t.equal(find(samples, 'knetstat_sockets').reduce((n, x) => n + x.value, 0), entries.length, 'the series add up to the listing')
  t.equal(value(samples, 'knetstat_sockets', { proto: 'tcp', family: 4, state: 'CLOSING' }), 0, 'a state with no sockets is 0, not absent')
  t.same(find(samples, 'knetstat_sockets', { proto: 'udp' }), [], 'the query asked for TCP only')
  t.same(find(samples, 'knetstat_sockets', { family: 6 }), [], 'and IPv4 only')

  const full = entries.find((e) => e.state === 'LISTEN' && e.local.port === ports.full) as SocketEntry
  t.ok(full.recvQ > backlogs.full, 'the full listener is over its limit')
  t.equal(value(samples, 'knetstat_accept_queue_full_listeners'), 1)
  t.equal(value(samples, 'knetstat_accept_queue_nearly_full_listeners'), 1)
  t.equal(value(samples, 'knetstat_accept_queue_max_fill_ratio'), full.recvQ / backlogs.full)
  t.equal(value(samples, 'knetstat_accept_queue_unknown_limit_listeners'), 0)

  t.equal(value(samples, 'knetstat_diag_sockets', { flag: 'sendWindowZero' }), 1, 'the writer of the zero-window pair')
  const reader = entries.find((e) => e.state === 'ESTABLISHED' && e.local.port === ports.window && e.remote.port === ports['window.writer'])
  if (reader?.diag.receiveWindowZero !== null) t.equal(value(samples, 'knetstat_diag_sockets', { flag: 'receiveWindowZero' }), 1, 'its reader')
  t.equal(value(samples, 'knetstat_diag_unknown_sockets', { flag: 'sendWindowZero' }), 0)

  // Per port.
  t.equal(value(samples, 'knetstat_port_accept_queue_length', { port: ports.nearly, family: 4 }), waiting.nearly)
  t.equal(value(samples, 'knetstat_port_accept_queue_limit', { port: ports.nearly, family: 4 }), backlogs.nearly)
  t.equal(value(samples, 'knetstat_port_accept_queue_length', { port: ports.full, family: 4 }), full.recvQ)
  t.equal(value(samples, 'knetstat_port_accept_queue_limit', { port: ports.full, family: 4 }), backlogs.full)
  t.equal(value(samples, 'knetstat_port_accept_queue_length', { port: ports.tuned, family: 4 }), 0)
  t.same(find(samples, 'knetstat_port_accept_queue_length', { port: ports.idle }), [], 'no series for an unwatched port')
  const tuned = { port: ports.tuned, proto: 'tcp' }
  t.equal(value(samples, 'knetstat_port_sockets', { ...tuned, side: 'local', state: 'LISTEN' }), 1)
  t.equal(value(samples, 'knetstat_port_sockets', { ...tuned, side: 'local', state: 'ESTABLISHED' }), 1, 'the accepted side')
  t.equal(value(samples, 'knetstat_port_sockets', { ...tuned, side: 'remote', state: 'ESTABLISHED' }), 1, 'the client')
  t.equal(value(samples, 'knetstat_port_sockets', { ...tuned, side: 'local', state: 'TIME_WAIT' }), 0)
  t.equal(find(samples, 'knetstat_port_sockets').length, 3 * 2 * 13, '3 ports × 2 sides × 13 TCP states, no more')

  // Options: the tuned trio has TCP_NODELAY and SO_KEEPALIVE, the window reader SO_RCVBUF;
  // through pidfd a connection's buffer is undecidable, set or not (docs/options.md).
  t.equal(value(samples, 'knetstat_option_sockets', { option: 'TCP_NODELAY', value: '1' }), 3)
  t.equal(value(samples, 'knetstat_option_sockets', { option: 'SO_KEEPALIVE', value: '1' }), 3)
  const known = entries.filter((e) => hasOptions(e) && e.options !== null)
  const undecided = known.filter((e) => e.optionsUndecidable?.SO_RCVBUF !== undefined)
  // The module and bpf read the lock bit (bpf serves the suite, run as root).
  const readerDecided = reader?.optionsSource === 'module' || reader?.optionsSource === 'bpf'
  if (!readerDecided) t.ok(reader !== undefined && undecided.includes(reader), 'the reader: undecidable through pidfd')
  t.equal(value(samples, 'knetstat_option_sockets', { option: 'SO_RCVBUF', value: 'set' }), readerDecided ? 1 : 0)
  t.equal(value(samples, 'knetstat_option_sockets', { option: 'SO_RCVBUF', value: 'undecidable' }), undecided.length)
  t.equal(value(samples, 'knetstat_option_sockets', { option: 'TCP_NODELAY', value: '0' }), known.length - 3)
  t.equal(value(samples, 'knetstat_option_sockets', { option: 'SO_RCVBUF', value: 'unset' }), known.length - (readerDecided ? 1 : 0) - undecided.length)
  t.equal(value(samples, 'knetstat_option_sockets', { option: 'TCP_NODELAY', value: 'undecidable' }), undefined, 'no such series for an option always decided')
  // Connections waiting in accept queues have no process holding them: options unknown
  // through pidfd; bpf reads them.
  const unknown = entries.filter((e) => hasOptions(e) && e.options === null)
  if (!readerDecided) t.ok(unknown.length >= waiting.nearly, 'the queued connections')
  t.equal(find(samples, 'knetstat_option_unknown_sockets').reduce((n, x) => n + x.value, 0), unknown.length)
  for (const x of find(samples, 'knetstat_option_unknown_sockets')) t.match(x.labels.code, /^[A-Z_]+$/, `code ${x.labels.code}`)

  // Every scrape lists once, however many metrics read the listing.
  const before = lister.calls
  const again = await scrape(server.url)
  t.equal(lister.calls, before + 1, 'one more scrape, one more listing')
  t.equal(value(again.samples, 'knetstat_listings_total'), before + 1)
  await metrics.update()
  t.equal(lister.calls, before + 2, 'update() lists once too')
  const both = await Promise.all([scrape(server.url), scrape(server.url)])
  t.ok(lister.calls <= before + 4, 'two overlapping scrapes list at most twice')
  t.ok(both.every((b) => b.status === 200 && (value(b.samples, 'knetstat_listings_total') ?? 0) <= lister.calls), 'both answer')
})

t.test('a failing listing is counted and the scrape still answers', async (t) => {
  const registry = new Registry()
  const own = new Counter({ name: 'app_requests_total', help: 'a metric of the application', registers: [registry] })
  own.inc(7)
  const metrics = registerSocketMetrics(registry, { query: { procNet: '/nonexistent/knetstat-recording' } })
  const server = await serveRegistry(registry)
  t.teardown(() => server.close())
  const first = await scrape(server.url)
  t.equal(first.status, 200, 'the scrape answers')
  t.equal(value(first.samples, 'app_requests_total'), 7, "the application's metrics are there")
  t.equal(value(first.samples, 'knetstat_listing_errors_total'), 1)
  t.equal(value(first.samples, 'knetstat_listings_total'), 1)
  t.equal(value(first.samples, 'knetstat_listing_success'), 0)
  t.same(find(first.samples, 'knetstat_sockets'), [], 'no socket series: nothing stale')
  t.ok(Number.isNaN(value(first.samples, 'knetstat_listeners')), 'a gauge without labels says NaN (unknown), not 0')
  t.ok(Number.isNaN(value(first.samples, 'knetstat_accept_queue_full_listeners')))
  t.equal((metrics.lastError as NodeJS.ErrnoException | null)?.code, 'ENOENT')
  const second = await scrape(server.url)
  t.equal(value(second.samples, 'knetstat_listing_errors_total'), 2)
})

t.test('after a failure the next good listing brings the values back; the failure clears them', async (t) => {
  const registry = new Registry()
  let fail = true
  const metrics = registerSocketMetrics(registry, {
    query: { procNet: fixtures },
    list: async (q) => {
      if (fail) throw Object.assign(new Error('netlink refused'), { code: 'EPERM' })
      return listSockets(q)
    },
  })
  const server = await serveRegistry(registry)
  t.teardown(() => server.close())
  const bad = await scrape(server.url)
  t.equal(value(bad.samples, 'knetstat_listing_success'), 0)
  t.equal(metrics.lastError?.message, 'netlink refused')
  fail = false
  const good = await scrape(server.url)
  t.equal(value(good.samples, 'knetstat_listing_success'), 1)
  t.equal(value(good.samples, 'knetstat_listing_errors_total'), 1)
  t.equal(value(good.samples, 'knetstat_listings_total'), 2)
  t.equal(value(good.samples, 'knetstat_sockets', { proto: 'tcp', family: 4, state: 'LISTEN' }), 2)
  t.equal(metrics.lastError, null)
  fail = true
  const cleared = await scrape(server.url)
  t.same(find(cleared.samples, 'knetstat_sockets'), [], 'a failure after a success clears the socket gauges')
  t.equal(value(cleared.samples, 'knetstat_listing_errors_total'), 2)
})

t.test('recorded text: every gauge, with the backlog option for the limits', async (t) => {
  const registry = new Registry()
  registerSocketMetrics(registry, {
    query: { procNet: fixtures },
    backlog: 2,
    ports: [8080, 22],
    options: ['TCP_NODELAY', 'SO_RCVBUF', 'TCP_DEFER_ACCEPT', 'SO_BROADCAST'],
  })
  const server = await serveRegistry(registry)
  t.teardown(() => server.close())
  const { samples, status } = await scrape(server.url)
  t.equal(status, 200)
  const sockets = (proto: string, family: number, state: string) => value(samples, 'knetstat_sockets', { proto, family, state })
  t.equal(sockets('tcp', 4, 'LISTEN'), 2)
  t.equal(sockets('tcp', 6, 'LISTEN'), 2)
  t.equal(sockets('tcp', 4, 'ESTABLISHED'), 5)
  t.equal(sockets('tcp', 4, 'BOUND_INACTIVE'), 1)
  t.equal(sockets('udp', 4, 'CLOSE'), 2)
  t.equal(sockets('udp', 4, 'ESTABLISHED'), 1)
  t.equal(sockets('udp', 6, 'ESTABLISHED'), 2)
  t.equal(sockets('tcp', 6, 'CLOSE_WAIT'), 0)
  t.equal(sockets('udp', 4, 'LISTEN'), undefined, 'UDP has only CLOSE and ESTABLISHED series')
  t.equal(find(samples, 'knetstat_sockets').length, 2 * 13 + 2 * 2, 'every TCP state and both UDP states, per family')
  t.equal(find(samples, 'knetstat_sockets').reduce((n, x) => n + x.value, 0), 28)

  t.equal(value(samples, 'knetstat_diag_sockets', { flag: 'sendWindowZero' }), 2)
  t.equal(value(samples, 'knetstat_diag_sockets', { flag: 'receiveWindowZero' }), 2)
  t.equal(value(samples, 'knetstat_diag_sockets', { flag: 'ackStalled' }), 2)
  t.equal(value(samples, 'knetstat_diag_unknown_sockets', { flag: 'ackStalled' }), 3, 'a window code hides the ACK flag')

  t.equal(value(samples, 'knetstat_listeners'), 4)
  t.equal(value(samples, 'knetstat_accept_queue_full_listeners'), 1, '0.0.0.0:8080 holds 3 over an assumed 2')
  t.equal(value(samples, 'knetstat_accept_queue_nearly_full_listeners'), 0)
  t.equal(value(samples, 'knetstat_accept_queue_max_fill_ratio'), 1.5)
  t.equal(value(samples, 'knetstat_accept_queue_unknown_limit_listeners'), 0)
  t.equal(value(samples, 'knetstat_port_accept_queue_length', { port: 8080, family: 4 }), 3)
  t.equal(value(samples, 'knetstat_port_accept_queue_limit', { port: 8080, family: 4 }), 2)
  t.equal(value(samples, 'knetstat_port_accept_queue_length', { port: 22, family: 6 }), 0)
  t.equal(value(samples, 'knetstat_port_accept_queue_limit', { port: 22, family: 6 }), 2)
  t.equal(value(samples, 'knetstat_port_accept_queue_length', { port: 22, family: 4 }), undefined, 'no IPv4 listener on 22')

  const port = (p: number, proto: string, side: string, state: string) => value(samples, 'knetstat_port_sockets', { port: p, proto, side, state })
  t.equal(port(8080, 'tcp', 'local', 'LISTEN'), 1)
  t.equal(port(8080, 'tcp', 'local', 'ESTABLISHED'), 1, '::ffff:127.0.0.1:8080')
  t.equal(port(8080, 'tcp', 'local', 'SYN_RECV'), 1)
  t.equal(port(8080, 'tcp', 'local', 'CLOSE_WAIT'), 1)
  t.equal(port(8080, 'tcp', 'remote', 'TIME_WAIT'), 1)
  t.equal(port(8080, 'tcp', 'remote', 'FIN_WAIT1'), 1)
  t.equal(port(22, 'tcp', 'local', 'ESTABLISHED'), 1)
  t.equal(port(22, 'tcp', 'local', 'TIME_WAIT'), 1)
  t.equal(port(22, 'udp', 'local', 'CLOSE'), 0)

  const opt = (option: string, v: string) => value(samples, 'knetstat_option_sockets', { option, value: v })
  t.equal(opt('TCP_NODELAY', '1'), 5)
  t.equal(opt('TCP_NODELAY', '0'), 14, 'TCP sockets with options: 19; TIME_WAIT and SYN_RECV lines have none')
  t.equal(opt('SO_RCVBUF', 'set'), 3)
  t.equal(opt('SO_RCVBUF', 'unset'), 22, 'TCP and UDP')
  t.equal(opt('TCP_DEFER_ACCEPT', 'set'), 1, 'TCP_DEFER_ACCEPT=0 means off')
  t.equal(opt('TCP_DEFER_ACCEPT', 'unset'), 18)
  t.equal(opt('SO_BROADCAST', '1'), 1, 'UDP only')
  t.equal(opt('SO_BROADCAST', '0'), 5)
  t.same(find(samples, 'knetstat_option_unknown_sockets'), [], 'every recorded socket says its options')
})

t.test('registration: names, prefix, duplicates, unregister, bad options', async (t) => {
  const registry = new Registry()
  const metrics = registerSocketMetrics(registry, { query: { procNet: fixtures } })
  t.ok(metrics.names.includes('knetstat_sockets'))
  t.notOk(metrics.names.some((n) => n.includes('option') || n.includes('port_')), 'option and port metrics only when asked for')
  t.throws(() => registerSocketMetrics(registry, { query: { procNet: fixtures } }), 'a second registration on one registry throws')
  t.equal(registry.getMetricsAsArray().length, metrics.names.length, 'and leaves nothing half-registered')
  const other = registerSocketMetrics(registry, { prefix: 'host_', query: { procNet: fixtures } })
  t.ok(other.names.every((n) => n.startsWith('host_')))
  metrics.unregister()
  other.unregister()
  t.equal(registry.getMetricsAsArray().length, 0, 'unregister removes them all')

  t.throws(() => registerSocketMetrics(registry, { ports: [0] }), TypeError)
  t.throws(() => registerSocketMetrics(registry, { options: ['nodelay' as never] }), TypeError)
  t.throws(() => registerSocketMetrics(registry, { options: ['TCP_NODELAY'], query: { options: false } }), TypeError)
  t.throws(() => registerSocketMetrics(registry, { query: { proto: 'sctp' as never } }), TypeError)
  t.throws(() => registerSocketMetrics(registry, { backlog: -1 }), TypeError)
  t.throws(() => registerSocketMetrics({} as never), TypeError)
  t.equal(registry.getMetricsAsArray().length, 0)
})

t.test("importing 'knetstat' never loads prom-client", async (t) => {
  // Walk the relative imports from src/index.ts.
  const root = fileURLToPath(new URL('../../src/', import.meta.url))
  const seen = new Set<string>()
  const external = new Set<string>()
  const walk = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/^\s*(?:import|export)\s(?!type\b)[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm)) {
      const spec = (m[1] ?? m[2]) as string
      if (spec.startsWith('.')) walk(join(dirname(file), spec.replace(/\.js$/, '.ts')))
      else external.add(spec)
    }
  }
  walk(join(root, 'index.ts'))
  t.ok(seen.size > 5, `${seen.size} modules`)
  t.notOk(external.has('prom-client'), [...external].join(', '))
  t.notOk([...seen].some((f) => f.endsWith('prometheus.ts') || f.includes('/metrics/')), 'nor the metrics code (src/prometheus.ts, src/metrics/)')
})

// knetstat/prometheus: socket gauges for a prom-client registry. A separate entry
// point, so that importing 'knetstat' never loads prom-client (an optional peer).
//
// Every scrape lists the sockets once: the first collect() of a scrape starts the
// listing and every other metric's collect() of that scrape (and of any scrape that
// overlaps it) awaits the same listing. See docs/metrics.md.
import { Counter, Gauge, type Registry } from 'prom-client'
import { listSockets } from './list.js'
import { TCP_STATES, type Family, type Proto, type SocketEntry, type TcpState } from './model.js'
import { normalizeQuery, type ListQuery } from './query.js'
import { OPTION_KINDS, OPTION_NAME } from './options.js'
import { hasOptions } from './health/expect.js'
import { DIAG_FLAGS, summarizeSockets, type SummaryOptions } from './health/summary.js'

/** The registry methods used: any prom-client Registry (Prometheus or OpenMetrics content type). */
export type MetricsRegistry = Pick<Registry, 'registerMetric' | 'removeSingleMetric' | 'getSingleMetric'>

export interface SocketMetricsOptions {
  /** Prefix of every metric name (default 'knetstat_'). */
  prefix?: string
  /**
   * The listSockets query of every scrape (proto, family, state, port filters, procNet
   * for a recording, …). Its `options` field defaults to false (no option reading),
   * or 'auto' when `options` below asks to count options.
   */
  query?: ListQuery
  /** Local ports to export per-port series for (sockets by state, accept queue length and limit). Keep the list short. */
  ports?: readonly number[]
  /**
   * Socket options to count sockets by, e.g. ['TCP_NODELAY', 'SO_KEEPALIVE']. Only then
   * are options read (pidfd: a /proc scan and a getsockopt round per socket; see
   * docs/metrics.md for the cost).
   */
  options?: readonly string[]
  /** The accept queue limit of listeners without one (recordings); a Node server's default is 511. See SummaryOptions.backlog. */
  backlog?: number
  /** A listener is nearly full at recvQ >= ratio × limit (default 0.8). */
  nearlyFullRatio?: number
  /** The listing function (default listSockets); for tests or to wrap the listing. */
  list?: (query: ListQuery) => Promise<SocketEntry[]>
  /**
   * How long a scrape's listing may take, in ms (default 30000). Past it, its signal
   * is aborted and the scrape answers as for a failed listing (listing_success 0,
   * lastError code 'ETIMEDOUT'), so that one listing that never ends cannot hold every
   * later scrape, which would otherwise all wait for it.
   */
  timeoutMs?: number
}

/** The default of SocketMetricsOptions.timeoutMs. */
export const DEFAULT_LISTING_TIMEOUT_MS = 30_000

/** What registerSocketMetrics returns. */
export interface SocketMetrics {
  /** The names of the registered metrics. */
  readonly names: readonly string[]
  /** The error of the last listing, null when it succeeded (or none ran yet). */
  readonly lastError: Error | null
  /** Lists the sockets now (or joins the listing in flight) and updates every metric, as a scrape does. Never rejects. */
  update(): Promise<void>
  /** Removes the metrics from the registry. */
  unregister(): void
}

type Labels = Record<string, string | number>
type Values = [Labels, number][]

/** Computed once per listing: each metric's series. */
interface Snapshot {
  values: Map<string, Values>
}

const UDP_STATES: readonly TcpState[] = ['CLOSE', 'ESTABLISHED']
/** The socket gauges without labels: NaN after a failed listing. */
const UNLABELED_SOCKET_GAUGES = [
  'listeners',
  'accept_queue_full_listeners',
  'accept_queue_nearly_full_listeners',
  'accept_queue_max_fill_ratio',
  'accept_queue_unknown_limit_listeners',
]
/** Options every socket of the table reports, where 0 means off. */
const ZERO_IS_OFF = new Set(['TCP_DEFER_ACCEPT', 'TCP_FASTOPEN'])

/**
 * Registers knetstat's gauges and counters on a prom-client registry (names in
 * docs/metrics.md). Throws a TypeError for bad options, and what prom-client throws
 * when a name is already registered (nothing stays registered then).
 */
export function registerSocketMetrics(registry: MetricsRegistry, options: SocketMetricsOptions = {}): SocketMetrics {
  if (registry === null || typeof registry !== 'object' || typeof registry.registerMetric !== 'function') {
    throw new TypeError('registerSocketMetrics: the first argument must be a prom-client Registry (e.g. new Registry() or register)')
  }
  const prefix = options.prefix ?? 'knetstat_'
  if (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) throw new TypeError(`prefix ${JSON.stringify(prefix)} is not a metric name prefix`)
  const ports = [...(options.ports ?? [])]
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`ports: ${String(port)} is not a port (1-65535)`)
  }
  const optionNames = [...(options.options ?? [])]
  for (const name of optionNames) {
    if (typeof name !== 'string' || !OPTION_NAME.test(name)) throw new TypeError(`options: ${JSON.stringify(name)} is not a socket option name (e.g. TCP_NODELAY)`)
  }
  const counting = optionNames.length > 0
  const query: ListQuery = { ...(options.query ?? {}) }
  if (counting && query.options === false) throw new TypeError("registerSocketMetrics: counting options needs them read; leave query.options out or use 'auto' or 'pidfd'")
  if (query.options === undefined) query.options = counting ? 'auto' : false
  const normalized = normalizeQuery(query) // a bad query fails now, not at every scrape
  const summaryOptions: SummaryOptions = {}
  if (options.backlog !== undefined) summaryOptions.backlog = options.backlog
  if (options.nearlyFullRatio !== undefined) summaryOptions.nearlyFullRatio = options.nearlyFullRatio
  summarizeSockets([], summaryOptions) // checks them
  const list = options.list ?? listSockets
  if (typeof list !== 'function') throw new TypeError('list must be a function (query) => Promise<SocketEntry[]>')
  const timeoutMs = options.timeoutMs ?? DEFAULT_LISTING_TIMEOUT_MS
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new TypeError(`timeoutMs must be a positive integer (ms), got ${String(timeoutMs)}`)

  // The series every snapshot starts from: zeros for each known label set, so that a
  // count that drops to 0 is exported as 0 rather than disappearing.
  const stateSets: [Proto, readonly TcpState[]][] = normalized.protos.map((p) => [
    p,
    (p === 'tcp' ? TCP_STATES : UDP_STATES).filter((s) => normalized.states === null || normalized.states.has(s)),
  ])

  const name = (n: string): string => prefix + n
  const metrics: (Gauge<string> | Counter<string>)[] = []
  let inFlight: Promise<Snapshot> | null = null
  let lastError: Error | null = null

  const gauge = (n: string, help: string, labelNames: string[] = []): void => {
    const full = name(n)
    metrics.push(
      new Gauge({
        name: full,
        help,
        labelNames,
        registers: [],
        async collect() {
          const snapshot = await current()
          this.reset()
          for (const [labels, value] of snapshot.values.get(full) ?? []) {
            if (labelNames.length === 0) this.set(value)
            else this.set(labels, value)
          }
        },
      }),
    )
  }

  gauge('sockets', 'Sockets by protocol, address family (4, 6) and kernel state (UDP: CLOSE unconnected, ESTABLISHED connected)', ['proto', 'family', 'state'])
  gauge('diag_sockets', 'TCP sockets with a diag flag raised: sendWindowZero (peer window 0), receiveWindowZero (our window 0), ackStalled (unacked data, no ACK for over 1 s)', ['flag'])
  gauge('diag_unknown_sockets', 'ESTABLISHED TCP sockets whose diag flag is unknown (the kernel or the query does not give it)', ['flag'])
  gauge('listeners', 'Listening TCP sockets')
  gauge('accept_queue_full_listeners', 'Listeners whose accept queue is over its limit (recvQ > backlog): new connections are dropped')
  gauge('accept_queue_nearly_full_listeners', 'Listeners not full with recvQ >= nearlyFullRatio x backlog')
  gauge('accept_queue_max_fill_ratio', 'The largest accept queue length / limit among listeners with a known limit (above 1: full)')
  gauge('accept_queue_unknown_limit_listeners', 'Listeners whose accept queue limit is unknown (recordings without the backlog option)')
  if (ports.length > 0) {
    gauge('port_sockets', 'Sockets of a watched port by protocol and state; side="local" when the local port is the watched one, "remote" for connections to it', ['port', 'proto', 'side', 'state'])
    gauge('port_accept_queue_length', 'Connections waiting in the accept queues of the listeners on a watched port (summed over SO_REUSEPORT listeners)', ['port', 'family'])
    gauge('port_accept_queue_limit', 'The accept queue limit of the listeners on a watched port (summed over SO_REUSEPORT listeners)', ['port', 'family'])
  }
  if (counting) {
    gauge('option_sockets', 'Sockets by a socket option: value "1"/"0" for boolean options, "set"/"unset" for the others', ['option', 'value'])
    gauge('option_unknown_sockets', 'Sockets whose options could not be read, by error code (e.g. EPERM)', ['code'])
  }
  gauge('listing_duration_seconds', 'How long the last listing took, in seconds')
  gauge('listing_success', '1 when the last listing succeeded, 0 when it failed (then the labeled socket gauges have no series and the others are NaN)')
  const counter = (n: string, help: string): Counter<string> => {
    const c = new Counter({
      name: name(n),
      help,
      registers: [],
      async collect() {
        await current()
      },
    })
    metrics.push(c)
    return c
  }
  const listings = counter('listings_total', 'Socket listings made (one per scrape)')
  const errors = counter('listing_errors_total', 'Socket listings that failed (the scrape still answers)')

  const registered: string[] = []
  try {
    for (const metric of metrics) {
      registry.registerMetric(metric)
      registered.push((metric as unknown as { name: string }).name)
    }
  } catch (error) {
    for (const n of registered) registry.removeSingleMetric(n)
    throw error
  }

  function current(): Promise<Snapshot> {
    if (inFlight === null) {
      const p = listOnce()
      inFlight = p
      // Settled: the next collect() belongs to a later scrape and lists again.
      void p.then(() => {
        if (inFlight === p) inFlight = null
      })
    }
    return inFlight
  }

  async function listOnce(): Promise<Snapshot> {
    const started = process.hrtime.bigint()
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9
    listings.inc()
    const values = new Map<string, Values>()
    let entries: SocketEntry[]
    try {
      entries = await listWithTimeout()
      if (!Array.isArray(entries)) throw new TypeError('the listing did not return an array')
    } catch (error) {
      // The socket gauges are cleared rather than left stale; the scrape still answers.
      lastError = error instanceof Error ? error : new Error(String(error))
      errors.inc()
      // Gauges without labels cannot be left out: they say NaN (unknown), not 0.
      for (const n of UNLABELED_SOCKET_GAUGES) values.set(name(n), [[{}, NaN]])
      values.set(name('listing_duration_seconds'), [[{}, seconds()]])
      values.set(name('listing_success'), [[{}, 0]])
      return { values }
    }
    lastError = null
    fill(values, entries)
    values.set(name('listing_duration_seconds'), [[{}, seconds()]])
    values.set(name('listing_success'), [[{}, 1]])
    return { values }
  }

  /**
   * The listing, bounded by timeoutMs: its signal is aborted then (with the query's own
   * signal forwarded), and a `list` that ignores the signal is not waited for.
   */
  async function listWithTimeout(): Promise<SocketEntry[]> {
    const controller = new AbortController()
    const timedOut = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
    })
    const timer = setTimeout(() => {
      const error = new Error(`the socket listing took longer than ${timeoutMs} ms (timeoutMs); this scrape answers without it`)
      controller.abort(Object.assign(error, { code: 'ETIMEDOUT' }))
    }, timeoutMs)
    const own = query.signal
    const forward = (): void => controller.abort(own?.reason)
    own?.addEventListener('abort', forward, { once: true })
    if (own?.aborted === true) forward()
    try {
      return await Promise.race([list({ ...query, signal: controller.signal }), timedOut])
    } finally {
      clearTimeout(timer)
      own?.removeEventListener('abort', forward)
    }
  }

  function fill(values: Map<string, Values>, entries: readonly SocketEntry[]): void {
    const summary = summarizeSockets(entries, summaryOptions)
    const key = (l: Labels): string => JSON.stringify(l)
    const series = (n: string, zeros: Labels[]): Map<string, [Labels, number]> => {
      const m = new Map<string, [Labels, number]>()
      for (const l of zeros) m.set(key(l), [l, 0])
      values.set(name(n), [])
      return m
    }
    const add = (m: Map<string, [Labels, number]>, l: Labels, by = 1): void => {
      const k = key(l)
      const s = m.get(k)
      if (s === undefined) m.set(k, [l, by])
      else s[1] += by
    }
    const done = (n: string, m: Map<string, [Labels, number]>): void => {
      values.set(name(n), [...m.values()])
    }

    const sockets = series(
      'sockets',
      stateSets.flatMap(([proto, states]) => normalized.families.flatMap((family) => states.map((state) => ({ proto, family: String(family), state })))),
    )
    for (const g of summary.counts.groups) add(sockets, { proto: g.proto, family: String(g.family), state: g.state }, g.count)
    done('sockets', sockets)

    values.set(name('diag_sockets'), DIAG_FLAGS.map((flag) => [{ flag }, summary.diag[flag].length]))
    values.set(name('diag_unknown_sockets'), DIAG_FLAGS.map((flag) => [{ flag }, summary.diag.unknown[flag]]))
    const q = summary.acceptQueues
    values.set(name('listeners'), [[{}, q.listeners]])
    values.set(name('accept_queue_full_listeners'), [[{}, q.full.length]])
    values.set(name('accept_queue_nearly_full_listeners'), [[{}, q.nearlyFull.length]])
    values.set(name('accept_queue_max_fill_ratio'), [[{}, q.largestFill]])
    values.set(name('accept_queue_unknown_limit_listeners'), [[{}, q.unknownLimit.length]])

    if (ports.length > 0) {
      const watched = new Set(ports)
      const byPort = series(
        'port_sockets',
        ports.flatMap((port) => stateSets.flatMap(([proto, states]) => ['local', 'remote'].flatMap((side) => states.map((state) => ({ port: String(port), proto, side, state }))))),
      )
      const length = series('port_accept_queue_length', [])
      const limit = new Map<string, [Labels, number]>()
      const limitUnknown = new Set<string>()
      for (const e of entries) {
        if (watched.has(e.local.port)) add(byPort, { port: String(e.local.port), proto: e.proto, side: 'local', state: e.state })
        if (watched.has(e.remote.port)) add(byPort, { port: String(e.remote.port), proto: e.proto, side: 'remote', state: e.state })
        if (e.proto === 'tcp' && e.state === 'LISTEN' && watched.has(e.local.port)) {
          const l: Labels = { port: String(e.local.port), family: String(e.family as Family) }
          add(length, l, e.recvQ)
          const max = e.backlog ?? options.backlog
          if (max === undefined) limitUnknown.add(key(l))
          else add(limit, l, max)
        }
      }
      for (const k of limitUnknown) limit.delete(k) // a sum with an unknown part is unknown
      done('port_sockets', byPort)
      done('port_accept_queue_length', length)
      done('port_accept_queue_limit', limit)
    }

    if (counting) {
      const zeros = optionNames.flatMap((option) => (OPTION_KINDS[option] === 'bool' ? ['1', '0'] : ['set', 'unset']).map((value) => ({ option, value })))
      const byOption = series('option_sockets', zeros)
      const unknown = series('option_unknown_sockets', [])
      for (const e of entries) {
        if (!hasOptions(e)) continue
        if (e.options === null) {
          add(unknown, { code: e.optionsError?.code ?? 'unknown' })
          continue
        }
        for (const option of optionNames) {
          if (!applies(option, e)) continue
          const value = e.options[option]
          if (OPTION_KINDS[option] === 'bool') {
            if (typeof value === 'boolean') add(byOption, { option, value: value ? '1' : '0' })
          } else {
            const set = value !== undefined && !(ZERO_IS_OFF.has(option) && value === 0)
            add(byOption, { option, value: set ? 'set' : 'unset' })
          }
        }
      }
      done('option_sockets', byOption)
      done('option_unknown_sockets', unknown)
    }
  }

  return {
    names: registered,
    get lastError() {
      return lastError
    },
    async update() {
      // Every collect() starts before the listing settles, so they all share it.
      await Promise.all([current(), ...metrics.map((metric) => metric.get())])
    },
    unregister() {
      for (const n of registered) registry.removeSingleMetric(n)
    },
  }
}

/** Whether an option is one a socket can have: TCP_* on TCP, IPV6_* on IPv6, SO_BROADCAST on UDP; the rest on every socket. */
function applies(option: string, entry: SocketEntry): boolean {
  if (option.startsWith('TCP_')) return entry.proto === 'tcp'
  if (option.startsWith('IPV6_')) return entry.family === 6
  if (option === 'SO_BROADCAST') return entry.proto === 'udp'
  return true
}

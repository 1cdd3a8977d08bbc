// The options of registerSocketMetrics, checked once at registration: a bad option
// fails there, not at every scrape.
import { listSockets } from '../list.js'
import type { SocketEntry, SocketOptionName } from '../model.js'
import { normalizeQuery, type ListQuery, type NormalizedQuery } from '../query.js'
import { isKnownOption, unknownOptionMessage } from '../options.js'
import { summarizeSockets, type SummaryOptions } from '../health/summary.js'
import type { NormalizedCheck, SocketCheck } from '../health/check-spec.js'
import { normalizeChecks } from './checks.js'

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
   * docs/metrics.md for the cost). A name knetstat does not know is a TypeError.
   */
  options?: readonly SocketOptionName[]
  /** The accept queue limit of listeners without one (recordings); a Node server's default is 511. See SummaryOptions.backlog. */
  backlog?: number
  /** A listener is nearly full at recvQ >= ratio × limit (default 0.8). */
  nearlyFullRatio?: number
  /**
   * Checks judged at every scrape, by name: each is what checkSockets takes (a
   * service's port, expectations, …; see docs/health.md) and gives the gauge
   * check_status{check="name", status="ok"|"fail"|"unknown"}. Each lists its own
   * target (a port-filtered listing) beside the scrape's listing.
   */
  checks?: Readonly<Record<string, SocketCheck>>
  /**
   * Labels `sockets` and `diag_sockets` by network namespace (`netns`: its ip netns
   * name, else its inode) or by container (`container`: the id a socket's cgroup
   * names, the systemd unit for a cgroup of a service, "" for neither). Either
   * lists every namespace (query.netns defaults to 'all'); 'container' reads the
   * cgroups (query.cgroup). The label has at most `maxGroups` values: the groups
   * with the most sockets, the rest summed as "other".
   */
  groupBy?: 'netns' | 'container'
  /** The most values of the `groupBy` label (default 50), "other" included. */
  maxGroups?: number
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

/** The default of SocketMetricsOptions.maxGroups. */
export const DEFAULT_MAX_GROUPS = 50

/** The default of SocketMetricsOptions.timeoutMs. */
export const DEFAULT_LISTING_TIMEOUT_MS = 30_000

/** SocketMetricsOptions checked, with their defaults filled in. */
export interface MetricsSettings {
  prefix: string
  ports: number[]
  /** The options to count sockets by; none: options are not read. */
  optionNames: SocketOptionName[]
  /** The query of every listing, `options` filled in. */
  query: ListQuery
  normalized: NormalizedQuery
  summaryOptions: SummaryOptions
  /** The accept queue limit of listeners without one, if given. */
  backlog: number | undefined
  list: (query: ListQuery) => Promise<SocketEntry[]>
  timeoutMs: number
  /** The checks, by name, in the order given. */
  checks: [string, NormalizedCheck][]
  /** The label the socket gauges are grouped by, and how many values it may have. */
  groupBy: { label: 'netns' | 'container'; max: number } | null
}

/** Checks `options` (a TypeError for the first bad one) and fills in the defaults. */
export function metricsSettings(options: SocketMetricsOptions): MetricsSettings {
  const prefix = options.prefix ?? 'knetstat_'
  if (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) throw new TypeError(`prefix ${JSON.stringify(prefix)} is not a metric name prefix`)
  const ports = [...(options.ports ?? [])]
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`ports: ${String(port)} is not a port (1-65535)`)
  }
  const optionNames: SocketOptionName[] = []
  for (const name of (options.options ?? []) as readonly unknown[]) {
    if (typeof name !== 'string') throw new TypeError(`options: ${JSON.stringify(name)} is not a socket option name (e.g. TCP_NODELAY)`)
    // A misspelt name would count every socket as unset, never as a mistake.
    if (!isKnownOption(name)) throw new TypeError(`options: ${unknownOptionMessage(name)}`)
    optionNames.push(name)
  }
  const counting = optionNames.length > 0
  const query: ListQuery = { ...(options.query ?? {}) }
  if (counting && query.options === false) throw new TypeError("registerSocketMetrics: counting options needs them read; leave query.options out or use 'auto' or 'pidfd'")
  if (query.options === undefined) query.options = counting ? 'auto' : false
  const groupBy = grouping(options, query)
  const normalized = normalizeQuery(query) // a bad query fails now, not at every scrape
  const summaryOptions: SummaryOptions = {}
  if (options.backlog !== undefined) summaryOptions.backlog = options.backlog
  if (options.nearlyFullRatio !== undefined) summaryOptions.nearlyFullRatio = options.nearlyFullRatio
  summarizeSockets([], summaryOptions) // checks them
  const list = options.list ?? listSockets
  if (typeof list !== 'function') throw new TypeError('list must be a function (query) => Promise<SocketEntry[]>')
  const timeoutMs = options.timeoutMs ?? DEFAULT_LISTING_TIMEOUT_MS
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new TypeError(`timeoutMs must be a positive integer (ms), got ${String(timeoutMs)}`)
  const checks = normalizeChecks(options.checks)
  return { prefix, ports, optionNames, query, normalized, summaryOptions, backlog: options.backlog, list, timeoutMs, checks, groupBy }
}

/** groupBy and maxGroups checked; the query made to list what they group by. */
function grouping(options: SocketMetricsOptions, query: ListQuery): MetricsSettings['groupBy'] {
  const { groupBy, maxGroups = DEFAULT_MAX_GROUPS } = options
  if (groupBy === undefined) return null
  if (groupBy !== 'netns' && groupBy !== 'container') throw new TypeError(`groupBy ${JSON.stringify(groupBy)} is not allowed; use 'netns' or 'container'`)
  if (!Number.isSafeInteger(maxGroups) || maxGroups < 2) throw new TypeError(`maxGroups must be an integer of at least 2, got ${String(maxGroups)}`)
  query.netns ??= 'all'
  if (groupBy === 'container') query.cgroup = true
  return { label: groupBy, max: maxGroups }
}

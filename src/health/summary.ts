// A summary of a listing for dashboards and metrics: counts, the sockets with a diag
// flag raised, listeners whose accept queue is full or nearly so. It judges nothing:
// the health verdict is checkSockets' (check.ts), made around a service.
import { TCP_STATES, type DiagFlags, type Family, type Proto, type SocketEntry, type TcpState } from '../model.js'

/** The diag flags, as keys of `SocketEntry.diag`. */
export type DiagFlag = keyof DiagFlags

export const DIAG_FLAGS: readonly DiagFlag[] = ['sendWindowZero', 'receiveWindowZero', 'ackStalled']

/** The `nearlyFullRatio` used when none is given. */
export const DEFAULT_NEARLY_FULL_RATIO = 0.8

export interface SummaryOptions {
  /**
   * The accept queue limit of listeners whose entry has no `backlog` (recordings:
   * knetstat text carries no limit). Give what the service passed to listen(); a Node
   * `server.listen()` without a backlog uses 511 (the kernel then caps it at
   * net.core.somaxconn). Without it, such listeners are in `acceptQueues.unknownLimit`.
   */
  backlog?: number
  /** A listener is nearly full when recvQ >= ratio × limit (and recvQ > 0). Default 0.8; 0 < ratio <= 1. */
  nearlyFullRatio?: number
}

/** A listener's accept queue. */
export interface AcceptQueue {
  entry: SocketEntry
  /** Connections waiting to be accepted (the listener's recvQ). */
  length: number
  /** The queue's limit (the listen() backlog as the kernel holds it). */
  limit: number
  /** 'kernel': the entry's own `backlog` (netlink); 'option': the `backlog` option. */
  limitSource: 'kernel' | 'option'
  /**
   * length / limit (length alone when the limit is 0). The kernel accepts one
   * connection beyond the limit, so above 1 means full.
   */
  fill: number
  /** The kernel's rule: the queue is full when length > limit, and new connections are dropped. */
  full: boolean
}

export interface SocketCounts {
  total: number
  byProto: Record<Proto, number>
  byFamily: Record<Family, number>
  /** Per protocol, since UDP's CLOSE/ESTABLISHED mean unconnected/connected. Only states that occur. */
  byState: Record<Proto, Partial<Record<TcpState, number>>>
  /** Every (proto, family, state) that occurs, in listing order of first occurrence. */
  groups: { proto: Proto; family: Family; state: TcpState; count: number }[]
}

/** What summarizeSockets returns. Every `entry` is the listing's own object, not a copy. */
export interface SocketSummary {
  counts: SocketCounts
  /** The sockets with each flag raised (a socket with both windows zero is in both lists), and how many ESTABLISHED TCP sockets have it unknown (null). */
  diag: Record<DiagFlag, SocketEntry[]> & { unknown: Record<DiagFlag, number> }
  acceptQueues: {
    /** LISTEN TCP sockets in the listing. */
    listeners: number
    /** Listeners whose queue is over the limit (connections are being dropped). */
    full: AcceptQueue[]
    /** Listeners not full, with recvQ >= nearlyFullRatio × limit and recvQ > 0. */
    nearlyFull: AcceptQueue[]
    /** The largest fill among listeners with a known limit (0 when there are none). */
    largestFill: number
    /** Listeners whose limit is unknown (no entry.backlog and no `backlog` option). */
    unknownLimit: SocketEntry[]
  }
}

/**
 * Summarizes a listing (e.g. `await listSockets(query)`) for a health endpoint or a
 * check. Pure: it reads the entries and keeps references to them. Throws a TypeError
 * for bad options.
 */
export function summarizeSockets(entries: readonly SocketEntry[], options: SummaryOptions = {}): SocketSummary {
  const { backlog, ratio } = checkSummaryOptions(options)
  checkEntries(entries)
  const summary: SocketSummary = {
    counts: {
      total: 0,
      byProto: { tcp: 0, udp: 0 },
      byFamily: { 4: 0, 6: 0 },
      byState: { tcp: {}, udp: {} },
      groups: [],
    },
    diag: { sendWindowZero: [], receiveWindowZero: [], ackStalled: [], unknown: { sendWindowZero: 0, receiveWindowZero: 0, ackStalled: 0 } },
    acceptQueues: { listeners: 0, full: [], nearlyFull: [], largestFill: 0, unknownLimit: [] },
  }
  const groups = new Map<string, SocketCounts['groups'][number]>()
  for (const entry of entries) {
    const counts = summary.counts
    counts.total++
    counts.byProto[entry.proto]++
    counts.byFamily[entry.family]++
    const states = counts.byState[entry.proto]
    states[entry.state] = (states[entry.state] ?? 0) + 1
    const key = `${entry.proto}${entry.family}${entry.state}`
    const group = groups.get(key)
    if (group === undefined) {
      const g = { proto: entry.proto, family: entry.family, state: entry.state, count: 1 }
      groups.set(key, g)
      counts.groups.push(g)
    } else group.count++

    // Flags are for ESTABLISHED TCP; a raised one counts wherever a source reports it.
    for (const flag of DIAG_FLAGS) {
      const value = entry.diag[flag]
      if (value === true) summary.diag[flag].push(entry)
      else if (value === null && entry.proto === 'tcp' && entry.state === 'ESTABLISHED') summary.diag.unknown[flag]++
    }

    if (entry.proto === 'tcp' && entry.state === 'LISTEN') {
      summary.acceptQueues.listeners++
      const queue = acceptQueue(entry, backlog, ratio)
      if (queue === null) summary.acceptQueues.unknownLimit.push(entry)
      else {
        if (queue.queue.fill > summary.acceptQueues.largestFill) summary.acceptQueues.largestFill = queue.queue.fill
        if (queue.queue.full) summary.acceptQueues.full.push(queue.queue)
        else if (queue.nearlyFull) summary.acceptQueues.nearlyFull.push(queue.queue)
      }
    }

  }

  return summary
}

/** A listener's accept queue (null when its limit is unknown: no entry.backlog, no backlog given), and whether it is nearly full. */
export function acceptQueue(entry: SocketEntry, backlog: number | undefined, ratio: number): { queue: AcceptQueue; nearlyFull: boolean } | null {
  const limit = entry.backlog ?? backlog
  if (limit === undefined) return null
  const length = entry.recvQ
  const queue: AcceptQueue = {
    entry,
    length,
    limit,
    limitSource: entry.backlog === undefined ? 'option' : 'kernel',
    fill: limit === 0 ? length : length / limit,
    full: length > limit,
  }
  return { queue, nearlyFull: !queue.full && length > 0 && length >= ratio * limit }
}

/** An endpoint as knetstat text writes it: `address:port`, port 0 as `*`. */
function endpoint(e: SocketEntry['local']): string {
  return `${e.address}:${e.port === 0 ? '*' : e.port}`
}

/** Names a socket for a message: `tcp 127.0.0.1:8080 -> 0.0.0.0:* LISTEN` (`tcp6`, `udp6` for IPv6, as netstat's Proto column). */
export function describeSocket(entry: SocketEntry): string {
  return `${entry.proto}${entry.family === 6 ? '6' : ''} ${endpoint(entry.local)} -> ${endpoint(entry.remote)} ${entry.state}`
}

/**
 * The fields the summary reads, checked before it reads any: an entry that is not a
 * listing's is a TypeError naming it, not a crash or a count of NaN.
 */
function checkEntries(entries: readonly SocketEntry[]): void {
  if (!Array.isArray(entries)) throw new TypeError(`summarizeSockets: entries must be the array listSockets returns, got ${typeof entries}`)
  entries.forEach((entry: unknown, i) => {
    const bad = (what: string): never => {
      throw new TypeError(`summarizeSockets: entries[${i}]${what}; pass the entries listSockets (or a replay) returns`)
    }
    if (entry === null || typeof entry !== 'object') return bad(' is not a socket entry')
    const e = entry as Record<string, unknown>
    if (e.proto !== 'tcp' && e.proto !== 'udp') bad(`.proto must be 'tcp' or 'udp', got ${shown(e.proto)}`)
    if (e.family !== 4 && e.family !== 6) bad(`.family must be 4 or 6, got ${shown(e.family)}`)
    if (typeof e.state !== 'string' || !(TCP_STATES as readonly string[]).includes(e.state)) bad(`.state must be a kernel state name, got ${shown(e.state)}`)
    for (const side of ['local', 'remote'] as const) {
      const ep = e[side] as Record<string, unknown> | null
      if (ep === null || typeof ep !== 'object' || typeof ep.address !== 'string' || !Number.isInteger(ep.port)) {
        bad(`.${side} must be { address, port }`)
      }
    }
    if (!Number.isSafeInteger(e.recvQ)) bad(`.recvQ must be an integer, got ${shown(e.recvQ)}`)
    if (e.diag === null || typeof e.diag !== 'object') bad('.diag must be an object of flags')
    if (e.options !== null && typeof e.options !== 'object') bad('.options must be an object or null')
  })
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function checkSummaryOptions(options: SummaryOptions): { backlog: number | undefined; ratio: number } {
  if (options === null || typeof options !== 'object') throw new TypeError('summarizeSockets: options must be an object')
  const { backlog, nearlyFullRatio } = options
  if (backlog !== undefined && !(Number.isInteger(backlog) && backlog >= 0)) {
    throw new TypeError(`backlog must be a non-negative integer (the listen() backlog, 511 for a Node server), got ${String(backlog)}`)
  }
  if (nearlyFullRatio !== undefined && !(typeof nearlyFullRatio === 'number' && nearlyFullRatio > 0 && nearlyFullRatio <= 1)) {
    throw new TypeError(`nearlyFullRatio must be a number in (0, 1], got ${String(nearlyFullRatio)}`)
  }
  return { backlog, ratio: nearlyFullRatio ?? DEFAULT_NEARLY_FULL_RATIO }
}

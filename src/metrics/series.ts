// What one listing makes of every metric: its series (label sets and values), counted
// from the entries and their summary. Counts start from zeros for each known label
// set, so that a count that drops to 0 is exported as 0 rather than disappearing.
import { TCP_STATES, UNDECIDABLE_OPTIONS, type Family, type Proto, type SocketEntry, type SocketOptionName, type TcpState, type UndecidableOption } from '../model.js'
import { OPTION_KINDS, optionApplies } from '../options.js'
import { hasOptions } from '../health/expect.js'
import { DIAG_FLAGS, summarizeSockets, type SocketSummary } from '../health/summary.js'
import { UNLABELED_SOCKET_GAUGES } from './definitions.js'
import type { MetricsSettings } from './options.js'

export type Labels = Record<string, string | number>
export type Series = [Labels, number][]
/** Each metric's series, by its name after the prefix. */
export type Snapshot = Map<string, Series>

const UDP_STATES: readonly TcpState[] = ['CLOSE', 'ESTABLISHED']
/** Options every socket of the table reports, where 0 means off. */
const ZERO_IS_OFF = new Set(['TCP_DEFER_ACCEPT', 'TCP_FASTOPEN'])

/** Counts by label set. */
class Tally {
  private readonly counts = new Map<string, [Labels, number]>()

  /** `zeros`: the label sets exported even when nothing is counted. */
  constructor(zeros: readonly Labels[] = []) {
    for (const l of zeros) this.counts.set(key(l), [l, 0])
  }

  add(l: Labels, by = 1): void {
    const k = key(l)
    const s = this.counts.get(k)
    if (s === undefined) this.counts.set(k, [l, by])
    else s[1] += by
  }

  delete(l: Labels): void {
    this.counts.delete(key(l))
  }

  series(): Series {
    return [...this.counts.values()]
  }
}

const key = (l: Labels): string => JSON.stringify(l)

/** The socket gauges after a failed listing: no series for the labeled ones, NaN (unknown, not 0) for the others. */
export function failedListingSeries(): Snapshot {
  return new Map(UNLABELED_SOCKET_GAUGES.map((n) => [n, [[{}, NaN]]]))
}

/** The socket gauges of a listing's entries. */
export function listingSeries(entries: readonly SocketEntry[], settings: MetricsSettings): Snapshot {
  const summary = summarizeSockets(entries, settings.summaryOptions)
  const values: Snapshot = new Map()
  if (settings.groupBy === null) {
    values.set('sockets', socketsByState(summary, settings))
    values.set('diag_sockets', diagSockets(summary))
  } else {
    const { label, max } = settings.groupBy
    const groups = [...groupEntries(entries, label, max)].map(([value, group]) => [{ [label]: value }, summarizeSockets(group, settings.summaryOptions)] as const)
    values.set('sockets', groups.flatMap(([labels, s]) => socketsByState(s, settings, labels)))
    values.set('diag_sockets', groups.flatMap(([labels, s]) => diagSockets(s, labels)))
  }
  values.set('diag_unknown_sockets', DIAG_FLAGS.map((flag) => [{ flag }, summary.diag.unknown[flag]]))
  const q = summary.acceptQueues
  values.set('listeners', [[{}, q.listeners]])
  values.set('accept_queue_full_listeners', [[{}, q.full.length]])
  values.set('accept_queue_nearly_full_listeners', [[{}, q.nearlyFull.length]])
  values.set('accept_queue_max_fill_ratio', [[{}, q.largestFill]])
  values.set('accept_queue_unknown_limit_listeners', [[{}, q.unknownLimit.length]])
  if (settings.ports.length > 0) for (const [n, s] of portSeries(entries, settings)) values.set(n, s)
  if (settings.optionNames.length > 0) for (const [n, s] of optionSeries(entries, settings.optionNames)) values.set(n, s)
  return values
}

/** The states the query can list, by protocol. */
function stateSets(settings: MetricsSettings): [Proto, readonly TcpState[]][] {
  const { protos, states } = settings.normalized
  return protos.map((p) => [p, (p === 'tcp' ? TCP_STATES : UDP_STATES).filter((s) => states === null || states.has(s))])
}

function socketsByState(summary: SocketSummary, settings: MetricsSettings, group: Labels = {}): Series {
  const sockets = new Tally(
    stateSets(settings).flatMap(([proto, states]) =>
      settings.normalized.families.flatMap((family) => states.map((state) => ({ ...group, proto, family: String(family), state }))),
    ),
  )
  for (const g of summary.counts.groups) sockets.add({ ...group, proto: g.proto, family: String(g.family), state: g.state }, g.count)
  return sockets.series()
}

function diagSockets(summary: SocketSummary, group: Labels = {}): Series {
  return DIAG_FLAGS.map((flag) => [{ ...group, flag }, summary.diag[flag].length])
}

/** The value of the group label of an entry: its namespace's name or inode, or its container (or unit). */
function groupOf(entry: SocketEntry, label: 'netns' | 'container'): string {
  if (label === 'netns') return entry.netns === undefined ? '' : (entry.netns.name ?? String(entry.netns.inode))
  const c = entry.cgroup?.container
  return c?.containerId ?? c?.unit ?? ''
}

/** Entries by group label value: the `max - 1` biggest groups, the rest as "other" (bounded cardinality). */
function groupEntries(entries: readonly SocketEntry[], label: 'netns' | 'container', max: number): Map<string, SocketEntry[]> {
  const groups = new Map<string, SocketEntry[]>()
  for (const e of entries) {
    const g = groupOf(e, label)
    const list = groups.get(g)
    if (list === undefined) groups.set(g, [e])
    else list.push(e)
  }
  if (groups.size <= max) return groups
  const sorted = [...groups].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
  const kept = new Map(sorted.slice(0, max - 1))
  kept.set('other', sorted.slice(max - 1).flatMap(([, list]) => list))
  return kept
}

/** port_sockets and the accept queues of the watched ports. */
function portSeries(entries: readonly SocketEntry[], settings: MetricsSettings): [string, Series][] {
  const { ports } = settings
  const watched = new Set(ports)
  const byPort = new Tally(
    ports.flatMap((port) => stateSets(settings).flatMap(([proto, states]) => ['local', 'remote'].flatMap((side) => states.map((state) => ({ port: String(port), proto, side, state }))))),
  )
  const length = new Tally()
  const limit = new Tally()
  const limitUnknown: Labels[] = []
  for (const e of entries) {
    if (watched.has(e.local.port)) byPort.add({ port: String(e.local.port), proto: e.proto, side: 'local', state: e.state })
    if (watched.has(e.remote.port)) byPort.add({ port: String(e.remote.port), proto: e.proto, side: 'remote', state: e.state })
    if (e.proto === 'tcp' && e.state === 'LISTEN' && watched.has(e.local.port)) {
      const l: Labels = { port: String(e.local.port), family: String(e.family as Family) }
      length.add(l, e.recvQ)
      const max = e.backlog ?? settings.backlog
      if (max === undefined) limitUnknown.push(l)
      else limit.add(l, max)
    }
  }
  for (const l of limitUnknown) limit.delete(l) // a sum with an unknown part is unknown
  return [
    ['port_sockets', byPort.series()],
    ['port_accept_queue_length', length.series()],
    ['port_accept_queue_limit', limit.series()],
  ]
}

const MAY_BE_UNDECIDABLE: ReadonlySet<string> = new Set(UNDECIDABLE_OPTIONS)

/** option_sockets and option_unknown_sockets. */
function optionSeries(entries: readonly SocketEntry[], optionNames: readonly SocketOptionName[]): [string, Series][] {
  const values = (option: SocketOptionName): string[] =>
    OPTION_KINDS[option] === 'bool' ? ['1', '0'] : MAY_BE_UNDECIDABLE.has(option) ? ['set', 'unset', 'undecidable'] : ['set', 'unset']
  const zeros = optionNames.flatMap((option) => values(option).map((value) => ({ option, value })))
  const byOption = new Tally(zeros)
  const unknown = new Tally()
  for (const e of entries) {
    if (!hasOptions(e)) continue
    if (e.options === null) {
      unknown.add({ code: e.optionsError?.code ?? 'unknown' })
      continue
    }
    for (const option of optionNames) {
      if (!optionApplies(option, e)) continue
      const value = e.options[option]
      if (OPTION_KINDS[option] === 'bool') {
        if (typeof value === 'boolean') byOption.add({ option, value: value ? '1' : '0' })
      } else {
        const set = value !== undefined && !(ZERO_IS_OFF.has(option) && value === 0)
        // Absent because the source could not decide it is not "unset".
        const undecidable = value === undefined && e.optionsUndecidable?.[option as UndecidableOption] !== undefined
        byOption.add({ option, value: set ? 'set' : undecidable ? 'undecidable' : 'unset' })
      }
    }
  }
  return [
    ['option_sockets', byOption.series()],
    ['option_unknown_sockets', unknown.series()],
  ]
}

// The join (docs/options.md, "How the module source joins"): the module's files and
// the netlink dump walk the same kernel hash tables in the same order (TCP: the
// listener buckets, then the established hash with its TIME_WAIT and request
// sockets; UDP: the primary hash by port), so among the sockets that share one key
// (proto, family, state, local, remote) the k-th line of the module's file is the
// k-th netlink entry with that key. Keys repeat only where several sockets share
// every field: SO_REUSEPORT listeners on one address and port, UDP sockets bound
// to one address with SO_REUSEADDR/SO_REUSEPORT. A key whose count differs between
// the two reads (sockets came or went in between) cannot be paired by position:
// its entries get the options only when every module line of that key says the
// same, otherwise optionsError 'EAGAIN'.
import type { SocketEntry } from '../../model.js'
import { breathe, SLICE } from '../../util/breathe.js'
import type { Missing, Reason } from '../source.js'
import { noOptions } from '../why-no-options.js'
import type { ModuleTable } from './parse.js'
import { WITHHELD, withheldByModule } from './withheld.js'

/** The join key: what netlink and the module's line both say about a socket. */
export function joinKey(entry: Pick<SocketEntry, 'proto' | 'family' | 'state' | 'local' | 'remote'>): string {
  // Request sockets are NEW_SYN_RECV in the kernel, SYN_RECV in netlink and SYNR in the
  // text. UDP's state follows from the remote port in the text, from sk_state in
  // netlink: leave it out of UDP keys (the remote endpoint is in the key).
  const state = entry.proto === 'udp' ? '' : entry.state === 'NEW_SYN_RECV' ? 'SYN_RECV' : entry.state
  return `${entry.proto}${entry.family} ${state} ${entry.local.address} ${entry.local.port} ${entry.remote.address} ${entry.remote.port}`
}

/** What joinModule did, for tests and diagnostics. */
export interface JoinStats {
  /** Entries paired with their own module line. */
  matched: number
  /** Entries of a key whose counts differed, given the options all that key's lines agree on. */
  agreed: number
  /** Entries of a key whose counts differed and whose lines disagree: optionsError EAGAIN. */
  ambiguous: number
  /** Entries with no module line of their key: optionsError ENOENT. */
  unmatched: number
  /** Module lines no entry took (sockets gone before the dump, or filtered out by the query). */
  unusedLines: number
  /**
   * Entries (counted in matched or agreed) whose line has no options although the
   * socket has them: the module withheld them from this reader. optionsError EPERM
   * until another source reads them (withheld.ts).
   */
  withheld: number
}

const MINISOCKET: Reason = { code: 'ENOENT', source: 'module', cause: 'minisocket' }
const UNMATCHED: Reason = { code: 'ENOENT', source: 'module', cause: 'unmatched' }
const AMBIGUOUS: Reason = { code: 'EAGAIN', source: 'module', cause: 'ambiguous' }

function lineSignature(line: SocketEntry): string {
  return JSON.stringify([line.options, line.otherOptions, line.diag])
}

/** Puts a module line's options and diag flags on an entry; true when the line withheld them. */
function apply(entry: SocketEntry, line: SocketEntry, missing: Missing): boolean {
  let withheld = false
  if (line.options === null) {
    withheld = withheldByModule(entry)
    missing(entry, withheld ? WITHHELD : MINISOCKET)
  } else {
    entry.options = { ...line.options }
    // What a newer module prints that this version does not know travels with the rest.
    if (line.otherOptions !== undefined) entry.otherOptions = { ...line.otherOptions }
    entry.optionsSource = 'module'
    delete entry.optionsError
  }
  // With the module as the source its diag flags are the entry's (TCP; docs/options.md).
  // A withheld line still has them: the diag column is printed to every reader
  // (netlink's tcp_info gives anyone the same facts).
  if (entry.proto === 'tcp') entry.diag = { ...line.diag }
  return withheld
}

/**
 * Joins the module's lines to netlink entries (in place): options, optionsSource and,
 * for TCP, diag come from the entry's line. Pure apart from yielding to the event loop.
 * Entries without options are handed to `missing` with why (default: optionsError);
 * those whose options the module withheld are also pushed to `withheld` when given.
 */
export async function joinModule(
  entries: SocketEntry[],
  tables: readonly ModuleTable[],
  withheld?: SocketEntry[],
  missing: Missing = noOptions,
): Promise<JoinStats> {
  // key -> the lines with that key, in file order.
  const byKey = new Map<string, SocketEntry[]>()
  let n = 0
  for (const table of tables) {
    for (const line of table.lines) {
      if (++n % (SLICE * 4) === 0) await breathe()
      const key = joinKey(line)
      const list = byKey.get(key)
      if (list === undefined) byKey.set(key, [line])
      else list.push(line)
    }
  }
  const tablesPresent = new Set(tables.map((t) => `${t.proto}${t.family}`))
  // key -> the entries with that key, in listing order (netlink's order within a table).
  const entriesByKey = new Map<string, SocketEntry[]>()
  for (let i = 0; i < entries.length; i++) {
    if (i % (SLICE * 4) === 0 && i > 0) await breathe()
    const entry = entries[i] as SocketEntry
    if (!tablesPresent.has(`${entry.proto}${entry.family}`)) continue
    const key = joinKey(entry)
    const list = entriesByKey.get(key)
    if (list === undefined) entriesByKey.set(key, [entry])
    else list.push(entry)
  }
  const stats: JoinStats = { matched: 0, agreed: 0, ambiguous: 0, unmatched: 0, unusedLines: 0, withheld: 0 }
  const take = (entry: SocketEntry, line: SocketEntry): void => {
    if (!apply(entry, line, missing)) return
    stats.withheld++
    withheld?.push(entry)
  }
  n = 0
  for (const [key, group] of entriesByKey) {
    if (++n % SLICE === 0) await breathe()
    const lines = byKey.get(key)
    byKey.delete(key)
    if (lines === undefined) {
      for (const entry of group) missing(entry, UNMATCHED)
      stats.unmatched += group.length
      continue
    }
    if (lines.length === group.length) {
      group.forEach((entry, k) => take(entry, lines[k] as SocketEntry))
      stats.matched += group.length
      continue
    }
    // Counts differ: position no longer pairs them. Honest only when all lines agree.
    const first = lines[0] as SocketEntry
    const signature = lineSignature(first)
    if (lines.every((l) => lineSignature(l) === signature)) {
      for (const entry of group) take(entry, first)
      stats.agreed += group.length
    } else {
      for (const entry of group) missing(entry, AMBIGUOUS)
      stats.ambiguous += group.length
    }
    if (lines.length > group.length) stats.unusedLines += lines.length - group.length
  }
  for (const lines of byKey.values()) stats.unusedLines += lines.length
  return stats
}

// The module source: options and diag flags from the knetstat kernel module's files
// (/proc/net/{tcp,tcp6,udp,udp6}stat), joined line by line to the netlink list.
//
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
//
// Withheld lines: the module prints a socket's options only to a reader (the file's
// opener) whose fsuid is the socket's owner, or who has CAP_SYS_PTRACE in the user
// namespace owning the socket's network namespace; for anyone else the line ends
// after the state and diag columns (TCP) or the foreign address (UDP). Such a line
// looks like a minisocket's (TIME_WAIT, request sockets), which has no options at
// all; the entry's state and file tell them apart (withheldByModule). A withheld
// entry is never left looking option-less: with options 'auto' the pidfd source
// tries it (fillWithheldFromPidfd), and what neither can read is EPERM with what
// to do (docs/options.md, docs/security.md).
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Family, OptionsError, Proto, SocketEntry } from '../model.js'
import type { NormalizedQuery } from '../query.js'
import { KnetstatParseError } from '../text/errors.js'
import { parseKnetstat } from '../text/parse.js'
import { breathe, SLICE } from '../util/breathe.js'
import { fillOptionsFromPidfd } from './pidfd.js'
import { hasPidfdSupport, scanProcesses, type ProcessScan } from './processes.js'
import { TABLE_FILES, type KnetstatTexts } from './recording.js'

/** Where the module's files are: the caller's network namespace. */
export const MODULE_DIR = '/proc/net'

export const MODULE_MISSING_MESSAGE =
  'the knetstat kernel module is not loaded: /proc/net/tcpstat does not exist in this network namespace. ' +
  'Build and load it as root: `make -C kernel && sudo insmod kernel/knetstat.ko` in the package directory ' +
  "(or `sudo modprobe knetstat` once installed); see docs/kernel-module.md. Or use options 'auto' or 'pidfd'."

/** The rejection of `options: 'module'` when the module's files are absent. */
export function moduleMissingError(dir: string = MODULE_DIR, cause?: unknown): Error {
  const error = new Error(`listSockets: ${MODULE_MISSING_MESSAGE}`, cause === undefined ? undefined : { cause })
  return Object.assign(error, { code: 'ENOENT', errno: -2, syscall: 'open', path: join(dir, 'tcpstat') })
}

/** Whether the module's files exist in `dir` (tcpstat stands for all four). */
export async function moduleFilesPresent(dir: string = MODULE_DIR): Promise<boolean> {
  try {
    await access(join(dir, 'tcpstat'))
    return true
  } catch {
    return false
  }
}

/**
 * Reads the module's files the query wants. Resolves null when the module is gone
 * (a file is absent: not loaded, or unloaded since it was seen).
 */
export async function readModuleTexts(query: Pick<NormalizedQuery, 'protos' | 'families'>, dir: string = MODULE_DIR): Promise<KnetstatTexts | null> {
  const wanted = TABLE_FILES.filter((t) => query.protos.includes(t.proto) && query.families.includes(t.family))
  try {
    const texts = await Promise.all(wanted.map((t) => readFile(join(dir, t.file), 'utf8')))
    const out: KnetstatTexts = {}
    wanted.forEach((t, i) => {
      out[t.file] = texts[i] as string
    })
    return out
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** One table of the module, parsed: its lines in file order. */
export interface ModuleTable {
  proto: Proto
  family: Family
  lines: SocketEntry[]
}

/** Lines parsed per slice: a large file never holds the event loop long. */
const PARSE_LINES = SLICE

/**
 * Parses the module's texts, a slice of lines at a time (the header is repeated
 * before each slice), yielding to the event loop between slices. A bad line
 * rejects with a KnetstatParseError naming the file and line.
 */
export async function parseModuleTexts(texts: KnetstatTexts, dir: string = MODULE_DIR): Promise<ModuleTable[]> {
  const tables: ModuleTable[] = []
  for (const { file, proto, family } of TABLE_FILES) {
    const text = texts[file]
    if (text === undefined) continue
    const all = text.split('\n')
    if (all.length > 1 && all[all.length - 1] === '') all.pop()
    const header = all[0] ?? ''
    const lines: SocketEntry[] = []
    let at = 1
    do {
      if (at > 1) await breathe()
      const slice = all.slice(at, at + PARSE_LINES)
      try {
        lines.push(...parseKnetstat([header, ...slice].join('\n') + '\n', { proto, family }))
      } catch (error) {
        if (error instanceof KnetstatParseError) {
          // Line numbers of the slice -> of the file.
          const line = error.line === 1 ? 1 : error.line + at - 1
          throw new KnetstatParseError(error.reason, line, error.column, join(dir, file))
        }
        throw error
      }
      at += PARSE_LINES
    } while (at < all.length)
    tables.push({ proto, family, lines })
  }
  return tables
}

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
   * until another source reads them (fillWithheldFromPidfd).
   */
  withheld: number
}

function lineSignature(line: SocketEntry): string {
  return JSON.stringify([line.options, line.diag])
}

export function noOptionsError(entry: SocketEntry): OptionsError {
  return {
    code: 'ENOENT',
    message:
      entry.state === 'TIME_WAIT' || entry.state === 'SYN_RECV' || entry.state === 'NEW_SYN_RECV' || entry.state === 'FIN_WAIT2'
        ? `the kernel module lists this ${entry.state} entry without options: it is a minisocket with no full socket, so there are no options to read`
        : 'the kernel module lists this socket without options: it has no full socket (a timewait or request minisocket), so there are no options to read',
  }
}

function unmatchedError(entry: SocketEntry): OptionsError {
  return {
    code: 'ENOENT',
    message:
      entry.state === 'BOUND_INACTIVE'
        ? "the kernel module's files do not list bound-only (BOUND_INACTIVE) sockets, as /proc/net/tcp does not: there is no line to take options from"
        : "the kernel module's file has no line for this socket: it was created or closed between the read of the module's file and the netlink dump; list again",
  }
}

/**
 * Whether a module line without options, paired with `entry`, means the module
 * withheld the options (the socket has them) rather than that there are none.
 * The module prints no options for minisockets: TIME_WAIT entries (TIMW, and FNW2
 * for an orphan kept as a timewait socket) and request sockets (SYNR). Netlink
 * gives those no file (inode null). Every UDP socket and every other TCP state is a
 * full socket, which has options: a line without them was withheld. (A Fast Open
 * child, a full socket in SYN_RECV before accept(), is taken for a request socket:
 * it has no file either, so no other source could read it.)
 */
export function withheldByModule(entry: Pick<SocketEntry, 'proto' | 'state' | 'inode'>): boolean {
  if (entry.proto === 'udp') return true
  switch (entry.state) {
    case 'TIME_WAIT':
    case 'SYN_RECV':
    case 'NEW_SYN_RECV':
      return false
    case 'FIN_WAIT2':
      // A timewait socket in its FIN_WAIT2 substate has no file; a full FIN_WAIT2
      // socket still held by its process (after shutdown(SHUT_WR)) has one.
      return entry.inode !== null
    default:
      return true
  }
}

function owner(entry: SocketEntry): string {
  return entry.uid === null ? "the socket's owner" : `uid ${entry.uid}`
}

const MODULE_RULE =
  "the knetstat kernel module shows a socket's options only to readers running as the socket's owner (fsuid) or with " +
  "CAP_SYS_PTRACE (in the user namespace owning the socket's network namespace), as pidfd_getfd would"

function whatToDo(entry: SocketEntry): string {
  return `To see them, run knetstat as ${owner(entry)}, or with CAP_SYS_PTRACE (for example with sudo)`
}

/** The error of an entry whose options the module withheld, before (or without) any other source. */
export function withheldError(entry: SocketEntry, why = ''): OptionsError {
  return {
    code: 'EPERM',
    message: `not permitted to read the options of this socket of ${owner(entry)}: ${MODULE_RULE}${why}. ${whatToDo(entry)}`,
  }
}

const AMBIGUOUS_ERROR: OptionsError = {
  code: 'EAGAIN',
  message:
    'sockets with this same address, port and state (SO_REUSEPORT/SO_REUSEADDR siblings) came or went between the read of ' +
    "the module's file and the netlink dump, and their options differ: which line is this socket's cannot be told; list again",
}

/** Puts a module line's options and diag flags on an entry; true when the line withheld them. */
function apply(entry: SocketEntry, line: SocketEntry): boolean {
  let withheld = false
  if (line.options === null) {
    entry.options = null
    entry.optionsSource = null
    withheld = withheldByModule(entry)
    entry.optionsError = withheld ? withheldError(entry) : noOptionsError(entry)
  } else {
    entry.options = { ...line.options }
    entry.optionsSource = 'module'
    delete entry.optionsError
  }
  // Per DESIGN, with the module as the source its diag flags are the entry's (TCP).
  // A withheld line still has them: the diag column is printed to every reader
  // (netlink's tcp_info gives anyone the same facts).
  if (entry.proto === 'tcp') entry.diag = { ...line.diag }
  return withheld
}

/**
 * Joins the module's lines to netlink entries (in place): options, optionsSource and,
 * for TCP, diag come from the entry's line. Pure apart from yielding to the event loop.
 * Entries whose options the module withheld get optionsError EPERM and are pushed to
 * `withheld` when given.
 */
export async function joinModule(entries: SocketEntry[], tables: readonly ModuleTable[], withheld?: SocketEntry[]): Promise<JoinStats> {
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
    if (!apply(entry, line)) return
    stats.withheld++
    withheld?.push(entry)
  }
  n = 0
  for (const [key, group] of entriesByKey) {
    if (++n % SLICE === 0) await breathe()
    const lines = byKey.get(key)
    byKey.delete(key)
    if (lines === undefined) {
      for (const entry of group) {
        entry.options = null
        entry.optionsSource = null
        entry.optionsError = unmatchedError(entry)
        stats.unmatched++
      }
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
      for (const entry of group) {
        entry.options = null
        entry.optionsSource = null
        entry.optionsError = { ...AMBIGUOUS_ERROR }
      }
      stats.ambiguous += group.length
    }
    if (lines.length > group.length) stats.unusedLines += lines.length - group.length
  }
  for (const lines of byKey.values()) stats.unusedLines += lines.length
  return stats
}

/** Where a listing may look for the options the module withheld. */
export interface WithheldFallback {
  /** The listing's /proc scan when it made one (processes: true); else one is made if needed. */
  scan: ProcessScan | null
}

/**
 * Parses the module's texts and joins them to `entries`. With `fallback` (options
 * 'auto'), the entries whose options the module withheld are tried through pidfd.
 */
export async function fillOptionsFromModule(
  entries: SocketEntry[],
  texts: KnetstatTexts,
  dir: string = MODULE_DIR,
  fallback?: WithheldFallback,
): Promise<JoinStats> {
  const withheld: SocketEntry[] = []
  const stats = await joinModule(entries, await parseModuleTexts(texts, dir), withheld)
  if (fallback !== undefined && withheld.length > 0) await fillWithheldFromPidfd(withheld, fallback.scan)
  return stats
}

/** A pidfd error's reason, without its own advice (which may suggest loading the module). */
function reasonOf(message: string): string {
  const cut = message.search(/\. To see /)
  return cut < 0 ? message : message.slice(0, cut)
}

/**
 * The entries whose options the module withheld, through the pidfd source: those it
 * may read (a process of the caller's, or any with CAP_SYS_PTRACE) get options from
 * pidfd; the others keep options null with EPERM, saying why pidfd could not either.
 * An entry with no file (an orphan, a connection not yet accept()ed) has no holder
 * to read it from: it keeps the module's EPERM.
 */
export async function fillWithheldFromPidfd(withheld: SocketEntry[], scan: ProcessScan | null): Promise<void> {
  const held = withheld.filter((e) => e.inode !== null)
  for (const entry of withheld) {
    if (entry.inode === null) entry.optionsError = withheldError(entry, '; it has no file (no process holds it), so pidfd_getfd cannot read it either')
  }
  if (held.length === 0) return
  if (!hasPidfdSupport()) {
    for (const entry of held) entry.optionsError = withheldError(entry, "; knetstat's native addon is too old for the pidfd source (rebuild it with `npm run build:native`)")
    return
  }
  await fillOptionsFromPidfd(held, scan ?? (await scanProcesses()))
  for (const entry of held) {
    if (entry.options !== null) continue
    const pidfd = entry.optionsError
    entry.optionsError = withheldError(entry, pidfd === undefined ? '' : `; the pidfd source could not read them either (${pidfd.code}: ${reasonOf(pidfd.message)})`)
  }
}

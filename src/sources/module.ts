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
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Family, OptionsError, Proto, SocketEntry } from '../model.js'
import type { NormalizedQuery } from '../query.js'
import { KnetstatParseError } from '../text/errors.js'
import { parseKnetstat } from '../text/parse.js'
import { breathe, SLICE } from './breathe.js'
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
}

function lineSignature(line: SocketEntry): string {
  return JSON.stringify([line.options, line.diag])
}

function noOptionsError(entry: SocketEntry): OptionsError {
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

const AMBIGUOUS_ERROR: OptionsError = {
  code: 'EAGAIN',
  message:
    'sockets with this same address, port and state (SO_REUSEPORT/SO_REUSEADDR siblings) came or went between the read of ' +
    "the module's file and the netlink dump, and their options differ: which line is this socket's cannot be told; list again",
}

/** Puts a module line's options and diag flags on an entry. */
function apply(entry: SocketEntry, line: SocketEntry): void {
  if (line.options === null) {
    entry.options = null
    entry.optionsSource = null
    entry.optionsError = noOptionsError(entry)
  } else {
    entry.options = { ...line.options }
    entry.optionsSource = 'module'
    delete entry.optionsError
  }
  // Per DESIGN, with the module as the source its diag flags are the entry's (TCP).
  if (entry.proto === 'tcp') entry.diag = { ...line.diag }
}

/**
 * Joins the module's lines to netlink entries (in place): options, optionsSource and,
 * for TCP, diag come from the entry's line. Pure apart from yielding to the event loop.
 */
export async function joinModule(entries: SocketEntry[], tables: readonly ModuleTable[]): Promise<JoinStats> {
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
  const stats: JoinStats = { matched: 0, agreed: 0, ambiguous: 0, unmatched: 0, unusedLines: 0 }
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
      group.forEach((entry, k) => apply(entry, lines[k] as SocketEntry))
      stats.matched += group.length
      continue
    }
    // Counts differ: position no longer pairs them. Honest only when all lines agree.
    const first = lines[0] as SocketEntry
    const signature = lineSignature(first)
    if (lines.every((l) => lineSignature(l) === signature)) {
      for (const entry of group) apply(entry, first)
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

/** Parses the module's texts and joins them to `entries`. */
export async function fillOptionsFromModule(entries: SocketEntry[], texts: KnetstatTexts, dir: string = MODULE_DIR): Promise<JoinStats> {
  return joinModule(entries, await parseModuleTexts(texts, dir))
}

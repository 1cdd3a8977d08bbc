// The contract every source keeps with the listing plan (src/plan.ts): it says whether
// it can serve this caller and, if not, why (a structured Reason, put into words by
// why-no-options.ts alone); and it fills given entries (an option source their
// options, the processes source their processes). Each source lives in its own
// folder under src/sources/, whose index.ts is its public face.
import type { NetlinkDetails, SocketEntry, SocketHolder } from '../model.js'
import type { NetnsTarget } from '../netns/target.js'
import type { NormalizedQuery } from '../query.js'
import { cookieKeyOfText, type CookieKey } from '../util/cookie.js'
import type { ProcessScan } from './processes/index.js'

/** Who gives a reason. */
export type SourceName = 'module' | 'bpf' | 'pidfd' | 'processes' | 'replay'

/** Why there are no options, in short. */
export type Cause =
  /** A TIME_WAIT or request socket: no full socket, so no options (isMinisocket, src/model.ts). */
  | 'minisocket'
  /** A full socket without a file: no process holds it (an orphan, a connection not yet accept()ed). */
  | 'no-file'
  /** The source has the options but may not show them to this reader (the module's rule), or a recording lacks them. */
  | 'withheld'
  /** The module's files have no line for the entry. */
  | 'unmatched'
  /** SO_REUSEPORT/SO_REUSEADDR siblings came or went between two reads, and their lines differ. */
  | 'ambiguous'
  /** The holder is a process the caller may not ptrace. */
  | 'not-ptraceable'
  /** No visible process holds it, and a process the caller cannot look into may. */
  | 'hidden-holder'
  /** No process holds it (or its holder exited during the listing). */
  | 'no-holder'
  /** Its holder closed the descriptor during the listing. */
  | 'closed'
  /** The kernel lacks a system call the source needs. */
  | 'no-syscall'
  /** A system call failed otherwise. */
  | 'failed'
  /** knetstat's native addon predates the source. */
  | 'stale-binary'
  /** The kernel module is not loaded. */
  | 'not-loaded'
  /** The bpf source: the kernel has no BTF (/sys/kernel/btf/vmlinux). */
  | 'no-btf'
  /** The bpf source: the kernel has no TCP/UDP socket iterators (before 5.9). */
  | 'old-kernel'
  /** The bpf source: loading a program needs CAP_BPF + CAP_PERFMON (or root). */
  | 'no-privilege'
  /** The bpf source: the kernel is locked down against reading its memory. */
  | 'lockdown'
  /** The bpf source: the kernel's socket structures are not what the program reads. */
  | 'layout'

/** Why a source gives no options: for one entry, or for a whole listing when it cannot serve this caller. */
export interface Reason {
  /** The code of optionsError (an errno name, or ERR_KNETSTAT_NATIVE_LOAD). */
  code: string
  source: SourceName
  cause: Cause
  /** The process whose descriptor was tried. */
  holder?: SocketHolder
  /** The system call that failed. */
  syscall?: string
  /** kernel.yama.ptrace_scope when it was read (null: no Yama). */
  yamaScope?: number | null
  /** The file whose absence says the source is not there. */
  path?: string
  /** 'withheld': why the source tried next could not read them either. */
  fallback?: Reason
  /** What the kernel said, where it says more than the cause (the bpf source's load). */
  detail?: string
}

/** Takes why an entry has no options (the default sets its optionsError: why-no-options.ts, `noOptions`). */
export type Missing = (entry: SocketEntry, why: Reason) => void

/** What a source is given for one listing. */
export interface SourceContext {
  readonly query: NormalizedQuery
  /** Where the kernel module's files are: /proc/net, or a stand-in directory (tests). */
  readonly moduleDir: string
  /** The network namespace listed, open for the listing; null: the caller's. Every source reads there. */
  readonly netns: NetnsTarget | null
  /** The listing's one /proc scan: started by the first source that asks, then shared. */
  scan(): Promise<ProcessScan>
  /** A stream: `fill` gets the table batch by batch, in dump order, and memory must stay bounded. */
  readonly stream: boolean
  /**
   * The list's own option-like attributes of an entry (the netlink dump's), read into
   * `out` without decoding the rest of `entry.netlink`; false when the entry has none.
   * Absent: read `entry.netlink`.
   */
  readonly listed?: ListedReader
  /** The entry's socket cookie as a map key (util/cookie.ts), read in place; null when it has none. Absent: read `entry.netlink`. */
  readonly cookieOf?: (entry: SocketEntry) => CookieKey | null
}

/** The option-like attributes of `entry.netlink`, which a source may take instead of asking the kernel again. */
export type ListedAttributes = Pick<NetlinkDetails, 'tos' | 'tclass' | 'v6only' | 'sockopt' | 'congestion' | 'mark' | 'classId' | 'ifindex'>

/** Reads an entry's ListedAttributes into `out` (reused: no object per entry); false when it has none. */
export type ListedReader = (entry: SocketEntry, out: ListedAttributes) => boolean

/** ListedAttributes through `entry.netlink` (decoding it): for entries without a listing's faster reader. */
export const listedFromDetails: ListedReader = (entry, out) => {
  const n = entry.netlink
  if (n === undefined) return false
  out.tos = n.tos
  out.tclass = n.tclass
  out.v6only = n.v6only
  out.sockopt = n.sockopt
  out.congestion = n.congestion
  out.mark = n.mark
  out.classId = n.classId
  out.ifindex = n.ifindex
  return true
}

/** The entry's cookie as a map key through `entry.netlink` (SourceContext.cookieOf reads it in place). */
export function cookieKeyFromDetails(entry: SocketEntry): CookieKey | null {
  const cookie = entry.netlink?.cookie
  return cookie === undefined ? null : cookieKeyOfText(cookie)
}

export interface Source {
  readonly name: SourceName
  /** Whether `fill` may be given any part of the table (a stream's batch), or needs all of it (a join). */
  readonly partial: boolean
  /** Whether it works through the processes holding the sockets (the /proc scan). */
  readonly needsScan: boolean
  /** null when this source can serve this caller; otherwise why not. A presence check: nothing big is read. */
  unavailable(context: SourceContext): Promise<Reason | null>
  /**
   * Starts what the source reads beside the netlink dump, and resolves to this
   * listing's filler; or to why not, when the source went away since `unavailable`
   * said it was there (the module unloaded in between).
   */
  open(context: SourceContext): Promise<Filler | Reason>
}

export interface Filler {
  /**
   * Fills what the source knows of `entries`. An option source sets `options` and
   * `optionsSource` of each entry it reads, and hands each it cannot to `missing`.
   */
  fill(entries: SocketEntry[], missing?: Missing): Promise<void>
}

/** Whether `open` answered why not rather than with a filler. */
export function isReason(value: Filler | Reason): value is Reason {
  return 'cause' in value
}

/**
 * Fills `entries` through the first of `next` that can serve the caller: sources tried
 * after another (what the module withholds, what the bpf source did not meet), in
 * order. An entry `refuse` rejects for the chosen source goes to `missing` with that
 * reason instead (a socket without a file, for a source that reads through processes);
 * what the source cannot read goes to `missing` with its reason; with no source left,
 * every entry does, with the last one's reason.
 */
export async function fillThrough(
  next: readonly Source[],
  entries: SocketEntry[],
  context: SourceContext,
  missing: Missing,
  refuse: (source: Source, entry: SocketEntry) => Reason | null = () => null,
): Promise<void> {
  if (entries.length === 0) return
  let why: Reason | null = null
  for (const source of next) {
    const unavailable = await source.unavailable(context)
    const filler = unavailable ?? (await source.open(context))
    if (isReason(filler)) {
      why = filler
      continue
    }
    const taken: SocketEntry[] = []
    for (const entry of entries) {
      const refused = refuse(source, entry)
      if (refused === null) taken.push(entry)
      else missing(entry, refused)
    }
    if (taken.length > 0) await filler.fill(taken, missing)
    return
  }
  if (why !== null) for (const entry of entries) missing(entry, why)
}

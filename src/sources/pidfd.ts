// The pidfd source: the exact options of sockets held by processes the caller may
// ptrace, read with pidfd_open + pidfd_getfd + getsockopt (Linux >= 5.6, no module).
// Raw getsockopt values are turned into DESIGN's option semantics here
// (docs/options.md says, per option, where "set" cannot be told from "default").
import { readFile } from 'node:fs/promises'
import { constants as osConstants } from 'node:os'
import type { OptionsError, SocketEntry, SocketHolder, SocketOptions } from '../model.js'
import { decodeOptionRecords, SYSCALLS, type RawOptions } from './option-record.js'
import { pidfdBinding, type ProcessScan } from './processes.js'

const AF_INET6 = 10
const IPPROTO_TCP = 6
const ESTALE = 116
const TCP_MSS_DEFAULT = 536

/** The system defaults an unset option falls back to (the caller's network namespace). */
export interface SysctlDefaults {
  tcpKeepaliveTime: number | null
  tcpKeepaliveIntvl: number | null
  tcpKeepaliveProbes: number | null
  /** tcp_rmem[1] / tcp_wmem[1]: a new TCP socket's sk_rcvbuf / sk_sndbuf. */
  tcpRmemDefault: number | null
  tcpWmemDefault: number | null
  /** net.core.rmem_default / wmem_default: a new UDP socket's buffers. */
  rmemDefault: number | null
  wmemDefault: number | null
  /** net.core.rmem_max / wmem_max: the most setsockopt (without SO_*BUFFORCE) can ask for. */
  rmemMax: number | null
  wmemMax: number | null
}

async function readNumbers(path: string): Promise<number[] | null> {
  try {
    const text = await readFile(path, 'utf8')
    const numbers = text.trim().split(/\s+/).map(Number)
    return numbers.every(Number.isFinite) ? numbers : null
  } catch {
    return null
  }
}

export async function readSysctlDefaults(root = '/proc/sys/net'): Promise<SysctlDefaults> {
  const [time, intvl, probes, rmem, wmem, rdef, wdef, rmax, wmax] = await Promise.all([
    readNumbers(`${root}/ipv4/tcp_keepalive_time`),
    readNumbers(`${root}/ipv4/tcp_keepalive_intvl`),
    readNumbers(`${root}/ipv4/tcp_keepalive_probes`),
    readNumbers(`${root}/ipv4/tcp_rmem`),
    readNumbers(`${root}/ipv4/tcp_wmem`),
    readNumbers(`${root}/core/rmem_default`),
    readNumbers(`${root}/core/wmem_default`),
    readNumbers(`${root}/core/rmem_max`),
    readNumbers(`${root}/core/wmem_max`),
  ])
  return {
    tcpKeepaliveTime: time?.[0] ?? null,
    tcpKeepaliveIntvl: intvl?.[0] ?? null,
    tcpKeepaliveProbes: probes?.[0] ?? null,
    tcpRmemDefault: rmem?.[1] ?? null,
    tcpWmemDefault: wmem?.[1] ?? null,
    rmemDefault: rdef?.[0] ?? null,
    wmemDefault: wdef?.[0] ?? null,
    rmemMax: rmax?.[0] ?? null,
    wmemMax: wmax?.[0] ?? null,
  }
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(osConstants.errno).map(([name, n]) => [n, name]))
export const errnoName = (errno: number): string => ERRNO_NAMES.get(errno) ?? 'UNKNOWN'

const HOW_TO_GET_THEM =
  'run knetstat as the user that owns the process, give it CAP_SYS_PTRACE (for example run it with sudo), ' +
  'or load the knetstat kernel module, which reports the options of every socket'

function yamaNote(scope: number | null): string {
  return scope !== null && scope > 0
    ? ` (kernel.yama.ptrace_scope is ${scope}: even your own processes need CAP_SYS_PTRACE unless they are your descendants)`
    : ''
}

function who(entry: SocketEntry, holder?: SocketHolder): string {
  const owner = entry.uid === null ? 'its owner' : `uid ${entry.uid}`
  return holder === undefined ? owner : `process ${holder.pid} (${holder.command}) of ${owner}`
}

/** Why options could not be read, with what to do about it. */
export function optionsErrorFor(
  code: string,
  entry: SocketEntry,
  context: { holder?: SocketHolder; syscall?: string; yamaScope?: number | null } = {},
): OptionsError {
  const { holder, syscall } = context
  switch (code) {
    case 'EPERM':
    case 'EACCES':
      return {
        code: 'EPERM',
        message:
          holder === undefined
            ? `no process visible to you holds this socket (${who(entry)}): its owner's /proc/<pid>/fd cannot be read. To see its options, ${HOW_TO_GET_THEM}`
            : `not permitted to read the options of ${who(entry, holder)}: pidfd_getfd needs ptrace access to the process${yamaNote(context.yamaScope ?? null)}. To see them, ${HOW_TO_GET_THEM}`,
      }
    case 'ENOSYS':
      return {
        code: 'ENOSYS',
        message: `this kernel has no ${syscall ?? 'pidfd_getfd'} (Linux 5.6 or later is needed, and a seccomp filter may block it in containers). To see options, load the knetstat kernel module, or run on Linux 5.6 or later`,
      }
    case 'ENOENT':
      return {
        code: 'ENOENT',
        message:
          entry.state === 'TIME_WAIT' || entry.state === 'SYN_RECV' || entry.state === 'NEW_SYN_RECV'
            ? `a ${entry.state} entry is a minisocket with no file and no owning process: there are no options to read`
            : 'this socket has no file, so no process holds it (a connection not yet accept()ed, or one its process already closed): there are no options to read',
      }
    case 'ESRCH':
      return {
        code: 'ESRCH',
        message:
          'no process holds this socket: it is the kernel\'s own, held in another PID namespace\'s process that this /proc does not show, in flight in an SCM_RIGHTS message, or was closed during the listing',
      }
    case 'EBADF':
    case 'ESTALE':
      return { code, message: `${who(entry, holder)} closed the socket's descriptor during the listing` }
    default:
      return { code, message: `${syscall ?? 'getsockopt'} failed with ${code} for ${who(entry, holder)}` }
  }
}

const defined = (v: number | null): v is number => v !== null

/**
 * DESIGN's option semantics from raw getsockopt values: the booleans of the table's
 * proto always; "only when set" options only when they differ from what an unset
 * socket reports.
 */
export function toSocketOptions(raw: RawOptions, entry: SocketEntry, sys: SysctlDefaults): SocketOptions {
  const o: SocketOptions = {}
  const tcp = entry.proto === 'tcp'
  const bool = (v: number | null): boolean | undefined => (v === null ? undefined : v !== 0)
  const put = (name: string, value: boolean | number | string | undefined): void => {
    if (value !== undefined) o[name] = value
  }
  put('SO_REUSEADDR', bool(raw.reuseAddr))
  put('SO_REUSEPORT', bool(raw.reusePort))
  if (tcp) {
    put('SO_KEEPALIVE', bool(raw.keepAlive))
    // getsockopt returns the socket's value, or the sysctl when the socket has none.
    if (defined(raw.tcpKeepIdle) && raw.tcpKeepIdle !== sys.tcpKeepaliveTime) put('TCP_KEEPIDLE', raw.tcpKeepIdle)
    if (defined(raw.tcpKeepCnt) && raw.tcpKeepCnt !== sys.tcpKeepaliveProbes) put('TCP_KEEPCNT', raw.tcpKeepCnt)
    if (defined(raw.tcpKeepIntvl) && raw.tcpKeepIntvl !== sys.tcpKeepaliveIntvl) put('TCP_KEEPINTVL', raw.tcpKeepIntvl)
    if (defined(raw.tcpUserTimeout) && raw.tcpUserTimeout > 0) put('TCP_USER_TIMEOUT', raw.tcpUserTimeout)
  }
  // The kernel stores twice what setsockopt passed. The lock bit that says "set" is
  // invisible to getsockopt: a buffer differing from a new socket's is taken as set,
  // unless it is larger than setsockopt could make it (TCP autotuning grew it).
  const rcvDefault = tcp ? sys.tcpRmemDefault : sys.rmemDefault
  const sndDefault = tcp ? sys.tcpWmemDefault : sys.wmemDefault
  const settable = (value: number, max: number | null): boolean => !tcp || max === null || value <= 2 * max
  if (defined(raw.rcvBuf) && raw.rcvBuf !== rcvDefault && settable(raw.rcvBuf, sys.rmemMax)) put('SO_RCVBUF', Math.floor(raw.rcvBuf / 2))
  if (defined(raw.sndBuf) && raw.sndBuf !== sndDefault && settable(raw.sndBuf, sys.wmemMax)) put('SO_SNDBUF', Math.floor(raw.sndBuf / 2))
  const ms = (sec: number | null, usec: number | null): number => (sec ?? 0) * 1000 + Math.floor((usec ?? 0) / 1000)
  const rcvTimeo = ms(raw.rcvTimeoSec, raw.rcvTimeoUsec)
  if (rcvTimeo > 0) put('SO_RCVTIMEO', rcvTimeo)
  const sndTimeo = ms(raw.sndTimeoSec, raw.sndTimeoUsec)
  if (sndTimeo > 0) put('SO_SNDTIMEO', sndTimeo)
  if (raw.lingerOnOff !== null && raw.lingerOnOff !== 0 && defined(raw.lingerSec)) put('SO_LINGER', raw.lingerSec)
  if (tcp) {
    put('TCP_NODELAY', bool(raw.tcpNoDelay))
    if (entry.state === 'LISTEN' && defined(raw.tcpFastOpen)) put('TCP_FASTOPEN', raw.tcpFastOpen)
    if (defined(raw.tcpDeferAccept)) put('TCP_DEFER_ACCEPT', raw.tcpDeferAccept)
  } else {
    put('SO_BROADCAST', bool(raw.broadcast))
  }
  // Beyond the module's set.
  if (tcp && raw.congestion !== '') put('TCP_CONGESTION', raw.congestion)
  if (defined(raw.mark)) put('SO_MARK', raw.mark)
  if (defined(raw.priority)) put('SO_PRIORITY', raw.priority)
  if (raw.domain === AF_INET6) {
    if (defined(raw.ipv6TClass)) put('IPV6_TCLASS', raw.ipv6TClass)
    put('IPV6_V6ONLY', bool(raw.ipv6V6Only))
  } else if (defined(raw.ipTos)) {
    put('IP_TOS', raw.ipTos)
  }
  if (raw.device !== '') put('SO_BINDTODEVICE', raw.device)
  // Before a connection exists getsockopt returns the MSS the application set, else
  // TCP_MSS_DEFAULT (536); afterwards the effective MSS, which is tcpInfo's business.
  const unconnected = entry.state === 'LISTEN' || entry.state === 'CLOSE'
  if (tcp && unconnected && defined(raw.tcpMaxSeg) && raw.tcpMaxSeg !== TCP_MSS_DEFAULT) put('TCP_MAXSEG', raw.tcpMaxSeg)
  put('IP_FREEBIND', bool(raw.ipFreeBind))
  put('IP_TRANSPARENT', bool(raw.ipTransparent))
  if (tcp && defined(raw.tcpNotSentLowat) && raw.tcpNotSentLowat > 0) put('TCP_NOTSENT_LOWAT', raw.tcpNotSentLowat)
  return o
}

async function yamaScope(): Promise<number | null> {
  return (await readNumbers('/proc/sys/kernel/yama/ptrace_scope'))?.[0] ?? null
}

/** Errors after which another holder of the same socket may still succeed. */
const RETRY = new Set(['EPERM', 'ESRCH', 'EBADF', 'ESTALE', 'EACCES'])

/**
 * Fills `options`/`optionsSource`, or `options: null` with `optionsError`, on every
 * entry. One socket's failure never fails the listing.
 */
export async function fillOptionsFromPidfd(entries: SocketEntry[], scan: ProcessScan, sys?: SysctlDefaults): Promise<void> {
  const [defaults, scope] = await Promise.all([sys ?? readSysctlDefaults(), yamaScope()])
  const euid = process.geteuid?.() ?? -1
  // Socket -> its holders; each round tries the next holder of sockets still unread.
  interface Pending {
    entry: SocketEntry
    holders: SocketHolder[]
    next: number
    lastError?: OptionsError
  }
  let pending: Pending[] = []
  for (const entry of entries) {
    entry.options = null
    entry.optionsSource = null
    delete entry.optionsError
    if (entry.inode === null) {
      entry.optionsError = optionsErrorFor('ENOENT', entry)
      continue
    }
    const holders = scan.holders.get(entry.inode)
    if (holders === undefined) {
      // Someone's process we could not look into may hold it.
      const hiddenOwner = scan.hidden.length > 0 || (euid !== 0 && entry.uid !== euid)
      entry.optionsError = optionsErrorFor(hiddenOwner ? 'EPERM' : 'ESRCH', entry)
      continue
    }
    pending.push({ entry, holders, next: 0 })
  }
  const binding = pidfdBinding()
  while (pending.length > 0) {
    // One target per socket, grouped by pid so each process's pidfd opens once.
    const round = pending.map((p) => ({ p, holder: p.holders[p.next] as SocketHolder }))
    round.sort((a, b) => a.holder.pid - b.holder.pid)
    const targets = new Uint32Array(round.length * 3)
    round.forEach(({ p, holder }, i) => {
      targets[i * 3] = holder.pid
      targets[i * 3 + 1] = holder.fd
      targets[i * 3 + 2] = p.entry.inode as number
    })
    const records = decodeOptionRecords(await binding.readSocketOptions(targets))
    const again: Pending[] = []
    records.forEach((raw, i) => {
      const { p, holder } = round[i] as (typeof round)[number]
      if (raw.errno === 0) {
        p.entry.options = toSocketOptions(raw, p.entry, defaults)
        p.entry.optionsSource = 'pidfd'
        return
      }
      const errno = raw.errno ?? 0
      const code = raw.syscall === 3 && errno === ESTALE ? 'ESTALE' : errnoName(errno)
      const syscall = SYSCALLS[raw.syscall ?? 0] ?? ''
      // Keep the most telling error: a permission error beats "it went away".
      const error = optionsErrorFor(code, p.entry, { holder, syscall, yamaScope: scope })
      if (p.lastError === undefined || error.code === 'EPERM' || error.code === 'ENOSYS') p.lastError = error
      p.next++
      if (RETRY.has(code) && p.next < p.holders.length) again.push(p)
      else p.entry.optionsError = p.lastError
    })
    pending = again
  }
}

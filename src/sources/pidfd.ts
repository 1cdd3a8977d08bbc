// The pidfd source: the exact options of sockets held by processes the caller may
// ptrace, read with pidfd_open + pidfd_getfd + getsockopt (Linux >= 5.6, no module).
// Raw getsockopt values are turned into DESIGN's option semantics here
// (docs/options.md says, per option, where "set" cannot be told from "default").
import { readFileSync } from 'node:fs'
import type { NativeBinding } from '../../types/binding.js'
import type { OptionsError, SocketEntry, SocketHolder, SocketOptions } from '../model.js'
import { breathe, SLICE } from '../util/breathe.js'
import { OptionRecords, SLOT, SYSCALLS } from './option-record.js'
import { pidfdBinding, type ProcessScan } from './processes.js'
import { escapeForDisplay } from '../text/escape.js'
import { errnoName } from '../util/errno.js'
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP } from '../util/linux.js'

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

// Read synchronously: a /proc/sys file is a few bytes served from memory, and an
// asynchronous open in flight when a worker_threads Worker is terminated would leave
// its fd open in the process for good.
// Out of descriptors says nothing of the sysctl, and an unknown default would pass a
// default value off as one the process set: that rejects the listing instead.
function readNumbers(path: string): number[] | null {
  try {
    const text = readFileSync(path, 'utf8')
    const numbers = text.trim().split(/\s+/).map(Number)
    return numbers.every(Number.isFinite) ? numbers : null
  } catch (error) {
    const { code, errno, syscall } = error as NodeJS.ErrnoException
    if (code !== 'EMFILE' && code !== 'ENFILE') return null
    const message = `cannot read ${path} (${code}): no file descriptor is free; close some file descriptors or raise the limit (ulimit -n, RLIMIT_NOFILE; fs.file-max for ENFILE)`
    throw Object.assign(new Error(message, { cause: error }), { code, errno, syscall, path })
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


const HOW_TO_GET_THEM =
  'run knetstat as the user that owns the process, give it CAP_SYS_PTRACE (for example run it with sudo), ' +
  'or load the knetstat kernel module, which reports the options of every socket'

// When no holder was found: the scan reads /proc/<pid>/fd (DAC: its uid, or
// CAP_DAC_READ_SEARCH) and, where that is refused, /proc/<pid>/fdinfo, which since
// Linux 5.14 needs ptrace read access instead (CAP_SYS_PTRACE grants it).
const HOW_TO_FIND_THEM =
  'run knetstat as the user that owns the process, give it CAP_SYS_PTRACE (for example run it with sudo; ' +
  'before Linux 5.14 finding the process also needs CAP_DAC_READ_SEARCH), ' +
  'or load the knetstat kernel module, which reports the options of every socket'

function yamaNote(scope: number | null): string {
  return scope !== null && scope > 0
    ? ` (kernel.yama.ptrace_scope is ${scope}: even your own processes need CAP_SYS_PTRACE unless they are your descendants)`
    : ''
}

function who(entry: SocketEntry, holder?: SocketHolder): string {
  const owner = entry.uid === null ? 'its owner' : `uid ${entry.uid}`
  // The command is the process's own choice (its comm): quoted escaped, never raw.
  return holder === undefined ? owner : `process ${holder.pid} (${escapeForDisplay(holder.command, 64)}) of ${owner}`
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
            ? `no process visible to you holds this socket (${who(entry)}): you may read neither its owner's /proc/<pid>/fd nor, without ptrace access, its /proc/<pid>/fdinfo. To see its options, ${HOW_TO_FIND_THEM}`
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
 * DESIGN's option semantics from raw getsockopt values (record `i` of `records`): the
 * booleans of the table's proto always; "only when set" options only when they differ
 * from what an unset socket reports.
 */
export function toSocketOptions(records: OptionRecords, i: number, entry: SocketEntry, sys: SysctlDefaults): SocketOptions {
  const o: SocketOptions = {}
  const tcp = entry.proto === 'tcp'
  const v = (slot: number): number | null => records.value(i, slot)
  const bool = (slot: number): void => {
    const x = records.value(i, slot)
    if (x !== null) o[BOOL_NAMES[slot] as string] = x !== 0
  }
  bool(SLOT.reuseAddr)
  bool(SLOT.reusePort)
  if (tcp) {
    bool(SLOT.keepAlive)
    // getsockopt returns the socket's value, or the sysctl when the socket has none.
    const idle = v(SLOT.tcpKeepIdle)
    if (defined(idle) && idle !== sys.tcpKeepaliveTime) o.TCP_KEEPIDLE = idle
    const cnt = v(SLOT.tcpKeepCnt)
    if (defined(cnt) && cnt !== sys.tcpKeepaliveProbes) o.TCP_KEEPCNT = cnt
    const intvl = v(SLOT.tcpKeepIntvl)
    if (defined(intvl) && intvl !== sys.tcpKeepaliveIntvl) o.TCP_KEEPINTVL = intvl
    const userTimeout = v(SLOT.tcpUserTimeout)
    if (defined(userTimeout) && userTimeout > 0) o.TCP_USER_TIMEOUT = userTimeout
  }
  // The kernel stores twice what setsockopt passed. The lock bit that says "set" is
  // invisible to getsockopt: a buffer differing from a new socket's is taken as set,
  // unless it is larger than setsockopt could make it (TCP autotuning grew it).
  const rcvBuf = v(SLOT.rcvBuf)
  const sndBuf = v(SLOT.sndBuf)
  const rcvDefault = tcp ? sys.tcpRmemDefault : sys.rmemDefault
  const sndDefault = tcp ? sys.tcpWmemDefault : sys.wmemDefault
  const settable = (value: number, max: number | null): boolean => !tcp || max === null || value <= 2 * max
  if (defined(rcvBuf) && rcvBuf !== rcvDefault && settable(rcvBuf, sys.rmemMax)) o.SO_RCVBUF = Math.floor(rcvBuf / 2)
  if (defined(sndBuf) && sndBuf !== sndDefault && settable(sndBuf, sys.wmemMax)) o.SO_SNDBUF = Math.floor(sndBuf / 2)
  const ms = (sec: number | null, usec: number | null): number => (sec ?? 0) * 1000 + Math.floor((usec ?? 0) / 1000)
  const rcvTimeo = ms(v(SLOT.rcvTimeoSec), v(SLOT.rcvTimeoUsec))
  if (rcvTimeo > 0) o.SO_RCVTIMEO = rcvTimeo
  const sndTimeo = ms(v(SLOT.sndTimeoSec), v(SLOT.sndTimeoUsec))
  if (sndTimeo > 0) o.SO_SNDTIMEO = sndTimeo
  const lingerOn = v(SLOT.lingerOnOff)
  const linger = v(SLOT.lingerSec)
  if (lingerOn !== null && lingerOn !== 0 && defined(linger)) o.SO_LINGER = linger
  if (tcp) {
    bool(SLOT.tcpNoDelay)
    const fastOpen = v(SLOT.tcpFastOpen)
    if (entry.state === 'LISTEN' && defined(fastOpen)) o.TCP_FASTOPEN = fastOpen
    const deferAccept = v(SLOT.tcpDeferAccept)
    if (defined(deferAccept)) o.TCP_DEFER_ACCEPT = deferAccept
  } else {
    bool(SLOT.broadcast)
  }
  // Beyond the module's set.
  if (tcp) {
    const congestion = records.string(i, 0)
    if (congestion !== '') o.TCP_CONGESTION = congestion
  }
  const mark = v(SLOT.mark)
  if (defined(mark)) o.SO_MARK = mark
  const priority = v(SLOT.priority)
  if (defined(priority)) o.SO_PRIORITY = priority
  if (v(SLOT.domain) === AF_INET6) {
    const tclass = v(SLOT.ipv6TClass)
    if (defined(tclass)) o.IPV6_TCLASS = tclass
    bool(SLOT.ipv6V6Only)
  } else {
    const tos = v(SLOT.ipTos)
    if (defined(tos)) o.IP_TOS = tos
  }
  const device = records.string(i, 1)
  if (device !== '') o.SO_BINDTODEVICE = device
  // Before a connection exists getsockopt returns the MSS the application set, else
  // TCP_MSS_DEFAULT (536); afterwards the effective MSS, which is tcpInfo's business.
  const maxSeg = v(SLOT.tcpMaxSeg)
  const unconnected = entry.state === 'LISTEN' || entry.state === 'CLOSE'
  if (tcp && unconnected && defined(maxSeg) && maxSeg !== TCP_MSS_DEFAULT) o.TCP_MAXSEG = maxSeg
  bool(SLOT.ipFreeBind)
  bool(SLOT.ipTransparent)
  const lowat = v(SLOT.tcpNotSentLowat)
  if (tcp && defined(lowat) && lowat > 0) o.TCP_NOTSENT_LOWAT = lowat
  return o
}

const BOOL_NAMES: Record<number, string> = {
  [SLOT.reuseAddr]: 'SO_REUSEADDR',
  [SLOT.reusePort]: 'SO_REUSEPORT',
  [SLOT.keepAlive]: 'SO_KEEPALIVE',
  [SLOT.broadcast]: 'SO_BROADCAST',
  [SLOT.tcpNoDelay]: 'TCP_NODELAY',
  [SLOT.ipv6V6Only]: 'IPV6_V6ONLY',
  [SLOT.ipFreeBind]: 'IP_FREEBIND',
  [SLOT.ipTransparent]: 'IP_TRANSPARENT',
}

async function yamaScope(): Promise<number | null> {
  return (await readNumbers('/proc/sys/kernel/yama/ptrace_scope'))?.[0] ?? null
}

/** What netlink already told about the socket, so the reader spends no getsockopt on it. */
function hints(entry: SocketEntry): number {
  const protocol = entry.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP
  const family = entry.family === 6 ? AF_INET6 : AF_INET
  const unconnected = entry.state === 'LISTEN' || entry.state === 'CLOSE' ? 1 << 16 : 0
  return (protocol | (family << 8) | unconnected) >>> 0
}

/** Errors after which another holder of the same socket may still succeed. */
const RETRY = new Set(['EPERM', 'ESRCH', 'EBADF', 'ESTALE', 'EACCES'])

/**
 * Fills `options`/`optionsSource`, or `options: null` with `optionsError`, on every
 * entry. One socket's failure never fails the listing.
 */
export async function fillOptionsFromPidfd(
  entries: SocketEntry[],
  scan: ProcessScan,
  sys?: SysctlDefaults,
  reader: Pick<NativeBinding, 'readSocketOptions'> = pidfdBinding(),
): Promise<void> {
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
  for (let n = 0; n < entries.length; n++) {
    if (n % SLICE === 0 && n > 0) await breathe()
    const entry = entries[n] as SocketEntry
    entry.options = null
    entry.optionsSource = null
    delete entry.optionsError
    if (entry.inode === null) {
      entry.optionsError = optionsErrorFor('ENOENT', entry)
      continue
    }
    const holders = scan.holders.get(entry.inode)
    if (holders === undefined) {
      // A process we could not look into may hold it: as root, one whose fd directory
      // was refused; otherwise any other user's (hidepid hides them from the scan).
      const hiddenOwner = euid === 0 ? scan.hidden.length > 0 : entry.uid !== euid
      entry.optionsError = optionsErrorFor(hiddenOwner ? 'EPERM' : 'ESRCH', entry)
      continue
    }
    pending.push({ entry, holders, next: 0 })
  }
  while (pending.length > 0) {
    // One target per socket, grouped by pid so each process's pidfd opens once.
    const byPid = new Map<number, { p: Pending; holder: SocketHolder }[]>()
    for (let n = 0; n < pending.length; n++) {
      if (n % (SLICE * 4) === 0 && n > 0) await breathe()
      const p = pending[n] as Pending
      const holder = p.holders[p.next] as SocketHolder
      const group = byPid.get(holder.pid)
      if (group === undefined) byPid.set(holder.pid, [{ p, holder }])
      else group.push({ p, holder })
    }
    const round = [...byPid.values()].flat()
    const targets = new Uint32Array(round.length * 4)
    round.forEach(({ p, holder }, i) => {
      targets[i * 4] = holder.pid
      targets[i * 4 + 1] = holder.fd
      targets[i * 4 + 2] = p.entry.inode as number
      targets[i * 4 + 3] = hints(p.entry)
    })
    const records = new OptionRecords(await reader.readSocketOptions(targets))
    const again: Pending[] = []
    for (let i = 0; i < records.count; i++) {
      if (i % SLICE === 0 && i > 0) await breathe()
      const { p, holder } = round[i] as (typeof round)[number]
      const errno = records.value(i, SLOT.errno) ?? 0
      if (errno === 0) {
        p.entry.options = toSocketOptions(records, i, p.entry, defaults)
        p.entry.optionsSource = 'pidfd'
        continue
      }
      const syscallId = records.value(i, SLOT.syscall) ?? 0
      const code = syscallId === 3 && errno === ESTALE ? 'ESTALE' : errnoName(errno)
      const syscall = SYSCALLS[syscallId] ?? ''
      // Keep the most telling error: a permission error beats "it went away".
      const error = optionsErrorFor(code, p.entry, { holder, syscall, yamaScope: scope })
      if (p.lastError === undefined || error.code === 'EPERM' || error.code === 'ENOSYS') p.lastError = error
      p.next++
      if (RETRY.has(code) && p.next < p.holders.length) again.push(p)
      else p.entry.optionsError = p.lastError
    }
    pending = again
  }
}

// The public model: what every source (netlink, the kernel module, pidfd, recorded
// text) is turned into. `null` always means "unknown", never a made-up default.
import type { DiagSockopt, SocketMemInfo, TcpInfo } from './sources/netlink/index.js'
import type { NetnsRef } from './netns/target.js'
import type { CgroupAttribution } from './cgroups/resolve.js'

export type { NetnsRef, CgroupAttribution }

export type { DiagSockopt, SocketMemInfo, TcpInfo }

export type Proto = 'tcp' | 'udp'
export type Family = 4 | 6

/** Kernel TCP state names (include/net/tcp_states.h). UDP uses CLOSE (unconnected) and ESTABLISHED (connected). */
export type TcpState =
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'NEW_SYN_RECV'
  | 'BOUND_INACTIVE'

/** Every state name, indexed by the kernel's state number (TCP_ESTABLISHED = 1). */
export const TCP_STATES: readonly TcpState[] = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
  'BOUND_INACTIVE',
]

/**
 * Whether an entry is a minisocket, which has no full socket and so no options: a
 * TIME_WAIT socket (also in its FIN_WAIT2 substate, an orphan the kernel keeps as a
 * timewait socket, which has no file) or a connection request (SYN_RECV). A full
 * FIN_WAIT2 socket still held by its process (after shutdown(SHUT_WR)) has a file.
 * (A Fast Open child, a full socket in SYN_RECV before accept(), counts as a request:
 * it has no file either, so no source could read its options.)
 */
export function isMinisocket(entry: Pick<SocketEntry, 'proto' | 'state' | 'inode'>): boolean {
  if (entry.proto !== 'tcp') return false
  switch (entry.state) {
    case 'TIME_WAIT':
    case 'SYN_RECV':
    case 'NEW_SYN_RECV':
      return true
    case 'FIN_WAIT2':
      return entry.inode === null
    default:
      return false
  }
}

/** An address and port. Port 0 means unbound/unconnected (printed `*` in knetstat text). */
export interface Endpoint {
  /** IPv4 dotted quad, or IPv6 in the kernel's compressed form (RFC 5952, `::ffff:1.2.3.4` for mapped). */
  address: string
  port: number
}

/**
 * Health flags of an ESTABLISHED TCP connection. `null` when the source cannot tell
 * (e.g. a kernel whose tcp_info lacks the field).
 */
export interface DiagFlags {
  /** The peer advertises a zero window: nothing can be sent (`>|`). */
  sendWindowZero: boolean | null
  /** We advertise a zero window: nothing can be received (`|<`). */
  receiveWindowZero: boolean | null
  /** Data is unacknowledged and the last ACK came more than 1 s ago (`>#`). */
  ackStalled: boolean | null
}

/**
 * Socket options as the application asked for them, keyed by setsockopt name.
 * A key that is absent was not reported by the source; for the "only when set"
 * options (see docs/options.md) absence means the option was not set.
 * Only the names below: options this version does not know (printed by a newer
 * kernel module) travel in `SocketEntry.otherOptions`, so a misspelt name here is a
 * compile error rather than a silent `undefined`.
 */
export interface SocketOptions {
  SO_REUSEADDR?: boolean
  SO_REUSEPORT?: boolean
  SO_KEEPALIVE?: boolean
  /** Seconds. */
  TCP_KEEPIDLE?: number
  TCP_KEEPCNT?: number
  /** Seconds. */
  TCP_KEEPINTVL?: number
  /** Milliseconds. */
  TCP_USER_TIMEOUT?: number
  /** Bytes as passed to setsockopt (the kernel stores double). */
  SO_RCVBUF?: number
  /** Bytes as passed to setsockopt (the kernel stores double). */
  SO_SNDBUF?: number
  /** Milliseconds. */
  SO_RCVTIMEO?: number
  /** Milliseconds. */
  SO_SNDTIMEO?: number
  /** Seconds; present only while linger is on. */
  SO_LINGER?: number
  TCP_NODELAY?: boolean
  /** Fast Open queue length (listeners). */
  TCP_FASTOPEN?: number
  /** Seconds, as getsockopt reports it. */
  TCP_DEFER_ACCEPT?: number
  SO_BROADCAST?: boolean
  // Options beyond the module's set, read where a source can do so honestly.
  TCP_CONGESTION?: string
  SO_MARK?: number
  SO_PRIORITY?: number
  IP_TOS?: number
  IPV6_TCLASS?: number
  IPV6_V6ONLY?: boolean
  SO_BINDTODEVICE?: string
  TCP_MAXSEG?: number
  IP_FREEBIND?: boolean
  IP_TRANSPARENT?: boolean
  TCP_NOTSENT_LOWAT?: number
}

/** The name of an option knetstat knows (a key of SocketOptions). */
export type SocketOptionName = keyof SocketOptions

export type OptionsSource = 'module' | 'bpf' | 'pidfd'

/**
 * The "only when set" options a source may be unable to decide: whether the
 * application set them cannot be told from what the source reads (docs/options.md).
 */
export type UndecidableOption = (typeof UNDECIDABLE_OPTIONS)[number]

/** Every UndecidableOption. */
export const UNDECIDABLE_OPTIONS = ['SO_RCVBUF', 'SO_SNDBUF', 'TCP_KEEPIDLE', 'TCP_KEEPCNT', 'TCP_KEEPINTVL', 'TCP_MAXSEG'] as const

/**
 * Why an option is undecidable, and so absent from `options`:
 *
 * - `'autotuned'`: a TCP buffer of a socket that is or was connected. The kernel
 *   resizes it (autotuning) unless the application set it, and the lock bit that
 *   says which is invisible to getsockopt: its size says nothing about who chose it.
 * - `'equals-default'`: the value in effect is what a socket has when the option is
 *   not set (a sysctl's default; 536 for TCP_MAXSEG): it was set to exactly that
 *   value, or not at all.
 * - `'default-unknown'`: that default could not be read (its /proc/sys file is
 *   missing), so no value can be compared with it.
 * - `'effective-value'`: getsockopt returns what the connection uses, not what was
 *   set (TCP_MAXSEG of a connection: the effective MSS, see `tcpInfo.sndMss`).
 */
export type UndecidableWhy = 'autotuned' | 'equals-default' | 'default-unknown' | 'effective-value'

/** Why `options` is null. */
export interface OptionsError {
  code: string
  message: string
}

/** A process holding a descriptor of the socket. */
export interface SocketHolder {
  pid: number
  fd: number
  command: string
}

/** One socket, as netstat shows it plus its options and health flags. */
export interface SocketEntry {
  proto: Proto
  family: Family
  state: TcpState
  /** LISTEN: accept backlog; other TCP: unread bytes; UDP: receive memory in use. */
  recvQ: number
  /** LISTEN: 0 in knetstat text (max backlog from netlink); other TCP: unacknowledged bytes; UDP: send memory in use. */
  sendQ: number
  local: Endpoint
  remote: Endpoint
  uid: number | null
  inode: number | null
  diag: DiagFlags
  options: SocketOptions | null
  /**
   * Options this version does not know, by name, with their value as text
   * (unescaped): what a newer kernel module prints beside `options`. Present only
   * when there is at least one; never a name of SocketOptions.
   */
  otherOptions?: Readonly<Record<string, string>>
  optionsSource: OptionsSource | null
  /**
   * Why `options` is null when a source was asked (docs/options.md): EPERM (no
   * permission to ptrace the owner), ENOSYS (no pidfd_getfd), ENOENT (TIME_WAIT,
   * request and other file-less sockets), ESRCH (no visible process holds it), …
   * Absent when options were read, or not asked for (`options: false`).
   */
  optionsError?: OptionsError
  /**
   * The options the source could not decide, with why: each is absent from `options`
   * (never guessed). Present only when a source left at least one undecidable (pidfd
   * does; the module and bpf read the kernel's own fields and never do). Entries may
   * share one frozen object.
   */
  optionsUndecidable?: Partial<Record<UndecidableOption, UndecidableWhy>>
  /** With `processes: true`: every process holding a descriptor of the socket, by pid then fd ([] when none is visible). */
  processes?: SocketHolder[]
  /** LISTEN sockets from netlink: the accept queue's limit (the listen() backlog as the kernel holds it). */
  backlog?: number
  /** tcp_info, when asked for (TCP; null for TIME_WAIT and request sockets, which have none). */
  tcpInfo?: TcpInfo | null
  /** What netlink sock_diag says beyond netstat's columns; absent for entries parsed from text. */
  netlink?: NetlinkDetails
  /** With a query's `netns`: the network namespace the socket lives in (entries of one namespace share one frozen object). */
  netns?: NetnsRef
  /**
   * With `cgroup: true`: the socket's cgroup v2 (its creator's when it was made) as a
   * path, and the container or systemd unit the path names (docs/netns.md, "Containers").
   */
  cgroup?: CgroupAttribution
}

/** Timer pending on a socket (idiag_timer). */
export type SocketTimer = 'none' | 'retransmit' | 'keepalive' | 'time_wait' | 'zero_window_probe'

export interface NetlinkDetails {
  /** The kernel's socket cookie (a 64-bit number, as a decimal string): stable while the socket lives. */
  cookie: string
  /** Bound device index (SO_BINDTODEVICE), 0 for none. */
  ifindex: number
  timer: SocketTimer
  /** Retransmits (or keepalive/zero-window probes) of the pending timer. */
  retransmits: number
  /** Milliseconds until the pending timer fires. */
  expiresMs: number
  /** shutdown(2) state: which directions are shut; null when the kernel did not say. */
  shutdown: { read: boolean; write: boolean } | null
  /** IPV6_V6ONLY, for IPv6 sockets where the kernel reports it. */
  v6only: boolean | null
  /** IP_TOS of the socket's traffic. */
  tos: number | null
  /** IPV6_TCLASS of the socket's traffic. */
  tclass: number | null
  /** SO_MARK (the kernel sends it only to CAP_NET_ADMIN callers). */
  mark: number | null
  /** net_cls class id, else SO_PRIORITY. */
  classId: number | null
  /** cgroup v2 id of the socket's creator (decimal string). */
  cgroupId: string | null
  /** inet-level flags (IP_FREEBIND, IP_TRANSPARENT, …; Linux 5.10+). */
  sockopt: DiagSockopt | null
  /** Congestion control algorithm (TCP). */
  congestion: string | null
  /** Socket memory accounting (SK_MEMINFO). */
  memInfo: SocketMemInfo | null
}

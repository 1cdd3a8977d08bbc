// The public model: what every source (netlink, the kernel module, pidfd, recorded
// text) is turned into. `null` always means "unknown", never a made-up default.

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
 * Options this version does not know (from a newer kernel module) are kept with
 * their value text as a string.
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
  [name: string]: boolean | number | string | undefined
}

export type OptionsSource = 'module' | 'pidfd'

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
  optionsSource: OptionsSource | null
  optionsError?: OptionsError
  processes?: SocketHolder[]
  tcpInfo?: Record<string, number | null> | null
}

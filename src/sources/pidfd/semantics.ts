// Raw getsockopt values -> the options as the application set them, and the ones
// getsockopt cannot decide (docs/options.md says, per option, when).
import type { Proto, SocketEntry, SocketOptionName, SocketOptions, UndecidableOption } from '../../model.js'
import { AF_INET6 } from '../../util/linux.js'
import { SLOT, type OptionRecords } from './option-record.js'
import type { SysctlDefaults } from './sysctl.js'
import { Undecidable } from './undecidable.js'

/** What getsockopt(TCP_MAXSEG) returns before a connection when the application set none. */
const TCP_MSS_DEFAULT = 536

const defined = (v: number | null): v is number => v !== null

/** What getsockopt reads for an option the application did not set, as the kernel stores it (a buffer: double what setsockopt passes); null when the sysctl could not be read. */
function unsetStored(option: UndecidableOption, proto: Proto, sys: SysctlDefaults): number | null {
  const tcp = proto === 'tcp'
  switch (option) {
    case 'TCP_KEEPIDLE':
      return sys.tcpKeepaliveTime
    case 'TCP_KEEPCNT':
      return sys.tcpKeepaliveProbes
    case 'TCP_KEEPINTVL':
      return sys.tcpKeepaliveIntvl
    case 'SO_RCVBUF':
      return tcp ? sys.tcpRmemDefault : sys.rmemDefault
    case 'SO_SNDBUF':
      return tcp ? sys.tcpWmemDefault : sys.wmemDefault
    case 'TCP_MAXSEG':
      return TCP_MSS_DEFAULT
  }
}

/** A stored value in SocketOptions' units: buffers as setsockopt passed them. */
const asOption = (option: UndecidableOption, stored: number): number => (option === 'SO_RCVBUF' || option === 'SO_SNDBUF' ? Math.floor(stored / 2) : stored)

/**
 * The value in effect on a socket whose option is 'equals-default' (set to the
 * default, or not set), in SocketOptions' units; null when the sysctl could not be read.
 */
export function unsetValue(option: UndecidableOption, proto: Proto, sys: SysctlDefaults): number | null {
  const stored = unsetStored(option, proto, sys)
  return stored === null ? null : asOption(option, stored)
}

/**
 * A TCP socket that never connected (LISTEN, CLOSE): TCP_FASTOPEN and TCP_MAXSEG read
 * as set, and its buffers are not autotuned. Every other state, BOUND_INACTIVE
 * included (a bound socket may have been connected and disconnected), may have been.
 */
export const isUnconnectedTcp = (entry: Pick<SocketEntry, 'proto' | 'state'>): boolean =>
  entry.proto === 'tcp' && (entry.state === 'LISTEN' || entry.state === 'CLOSE')

/**
 * The option semantics of docs/options.md from raw getsockopt values (record `i` of
 * `records`): the booleans of the table's proto always; an "only when set" option
 * when it differs from what an unset socket reads; and, in `undecidable`, each one
 * whose value cannot say whether it was set (never guessed, never reported).
 */
export function toSocketOptions(
  records: OptionRecords,
  i: number,
  entry: SocketEntry,
  sys: SysctlDefaults,
  undecidable: Undecidable = new Undecidable(),
): SocketOptions {
  const o: SocketOptions = {}
  const tcp = entry.proto === 'tcp'
  const unconnected = isUnconnectedTcp(entry)
  const v = (slot: number): number | null => records.value(i, slot)
  const bool = (slot: number): void => {
    const x = records.value(i, slot)
    if (x !== null) o[BOOL_NAMES[slot] as BoolOptionName] = x !== 0
  }
  // An "only when set" value, as stored, against what the socket reads when unset.
  const whenSet = (name: UndecidableOption, value: number | null, report: (value: number) => void): void => {
    if (value === null) return
    const unset = unsetStored(name, entry.proto, sys)
    if (unset === null) undecidable.mark(name, 'default-unknown')
    else if (value === unset) undecidable.mark(name, 'equals-default')
    else report(asOption(name, value))
  }
  bool(SLOT.reuseAddr)
  bool(SLOT.reusePort)
  if (tcp) {
    bool(SLOT.keepAlive)
    // getsockopt returns the socket's value, or the sysctl when the socket has none.
    whenSet('TCP_KEEPIDLE', v(SLOT.tcpKeepIdle), (x) => (o.TCP_KEEPIDLE = x))
    whenSet('TCP_KEEPCNT', v(SLOT.tcpKeepCnt), (x) => (o.TCP_KEEPCNT = x))
    whenSet('TCP_KEEPINTVL', v(SLOT.tcpKeepIntvl), (x) => (o.TCP_KEEPINTVL = x))
    const userTimeout = v(SLOT.tcpUserTimeout)
    if (defined(userTimeout) && userTimeout > 0) o.TCP_USER_TIMEOUT = userTimeout
  }
  // The kernel stores twice what setsockopt passed, and a new socket's buffer is the
  // sysctl default. A connection's TCP buffers are autotuned unless set: the reader
  // does not even read them.
  if (tcp && !unconnected) {
    undecidable.mark('SO_RCVBUF', 'autotuned')
    undecidable.mark('SO_SNDBUF', 'autotuned')
  } else {
    whenSet('SO_RCVBUF', v(SLOT.rcvBuf), (x) => (o.SO_RCVBUF = x))
    whenSet('SO_SNDBUF', v(SLOT.sndBuf), (x) => (o.SO_SNDBUF = x))
  }
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
  if (unconnected) whenSet('TCP_MAXSEG', v(SLOT.tcpMaxSeg), (x) => (o.TCP_MAXSEG = x))
  else if (tcp) undecidable.mark('TCP_MAXSEG', 'effective-value')
  bool(SLOT.ipFreeBind)
  bool(SLOT.ipTransparent)
  const lowat = v(SLOT.tcpNotSentLowat)
  if (tcp && defined(lowat) && lowat > 0) o.TCP_NOTSENT_LOWAT = lowat
  return o
}

/** The options whose value is a boolean. */
type BoolOptionName = { [K in SocketOptionName]-?: NonNullable<SocketOptions[K]> extends boolean ? K : never }[SocketOptionName]

const BOOL_NAMES: Record<number, BoolOptionName> = {
  [SLOT.reuseAddr]: 'SO_REUSEADDR',
  [SLOT.reusePort]: 'SO_REUSEPORT',
  [SLOT.keepAlive]: 'SO_KEEPALIVE',
  [SLOT.broadcast]: 'SO_BROADCAST',
  [SLOT.tcpNoDelay]: 'TCP_NODELAY',
  [SLOT.ipv6V6Only]: 'IPV6_V6ONLY',
  [SLOT.ipFreeBind]: 'IP_FREEBIND',
  [SLOT.ipTransparent]: 'IP_TRANSPARENT',
}

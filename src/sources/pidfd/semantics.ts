// Raw getsockopt values -> the options as the application set them (docs/options.md
// says, per option, where "set" cannot be told from "default" through getsockopt).
import type { SocketEntry, SocketOptions } from '../../model.js'
import { AF_INET6 } from '../../util/linux.js'
import { SLOT, type OptionRecords } from './option-record.js'
import type { SysctlDefaults } from './sysctl.js'

/** What getsockopt(TCP_MAXSEG) returns before a connection when the application set none. */
const TCP_MSS_DEFAULT = 536

const defined = (v: number | null): v is number => v !== null

/**
 * The option semantics of docs/options.md from raw getsockopt values (record `i` of `records`): the
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

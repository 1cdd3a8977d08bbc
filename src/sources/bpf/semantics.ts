// The kernel's raw socket fields -> the options as the application set them, with the
// kernel module's semantics exactly (kernel/knetstat.c: knetstat_tcp_show_full,
// knetstat_udp_show_sk, knetstat_put_buf_timeo_linger), then the options beyond the
// module's set as the pidfd source reports them (the value in effect).
import type { SocketEntry, SocketOptions } from '../../model.js'
import { AF_INET6 } from '../../util/linux.js'
import { BPF_SLOT as S, BPF_STRING, type BpfSocketRecords } from './socket-record.js'

/** sk_userlocks bits (include/net/sock.h). */
const SOCK_SNDBUF_LOCK = 1
const SOCK_RCVBUF_LOCK = 2
/** tcp_sock.nonagle bit set by TCP_NODELAY. */
const TCP_NAGLE_OFF = 1
/** MAX_SCHEDULE_TIMEOUT (LONG_MAX) as the record's double holds it: no timeout. */
const NO_TIMEOUT = 2 ** 63
/** TCP_TIMEOUT_INIT and TCP_RTO_MAX in seconds: TCP_DEFER_ACCEPT's conversion. */
const TIMEOUT_INIT_S = 1
const RTO_MAX_S = 120

/** A timeout in jiffies as milliseconds, as the module prints it. */
function jiffiesToMs(j: number, hz: number): number {
  return Math.floor(j / hz) * 1000 + Math.floor(((j % hz) * 1000) / hz)
}

/** TCP_DEFER_ACCEPT as getsockopt reports it: from the stored SYN-ACK retransmissions. */
export function deferAcceptSeconds(retrans: number): number {
  let timeout = TIMEOUT_INIT_S
  let period = 0
  if (retrans > 0) {
    period = timeout
    while (--retrans > 0) {
      timeout = Math.min(timeout * 2, RTO_MAX_S)
      period += timeout
    }
  }
  return period
}

/** The options of record `i`, a socket of `entry`'s protocol; `hz` is the kernel's. */
export function toSocketOptions(records: BpfSocketRecords, i: number, entry: SocketEntry, hz: number): SocketOptions {
  const o: SocketOptions = {}
  const tcp = entry.proto === 'tcp'
  const v = (slot: number): number => records.value(i, slot) ?? 0
  o.SO_REUSEADDR = v(S.reuse) !== 0
  o.SO_REUSEPORT = v(S.reusePort) !== 0
  if (tcp) {
    o.SO_KEEPALIVE = v(S.keepOpen) !== 0
    if (v(S.keepIdle) !== 0) o.TCP_KEEPIDLE = Math.floor(v(S.keepIdle) / hz)
    if (v(S.keepCnt) !== 0) o.TCP_KEEPCNT = v(S.keepCnt)
    if (v(S.keepIntvl) !== 0) o.TCP_KEEPINTVL = Math.floor(v(S.keepIntvl) / hz)
    if (v(S.userTimeout) !== 0) o.TCP_USER_TIMEOUT = v(S.userTimeout)
  }
  const locks = v(S.userLocks)
  if (locks & SOCK_RCVBUF_LOCK) o.SO_RCVBUF = Math.trunc(v(S.rcvBuf) / 2)
  if (locks & SOCK_SNDBUF_LOCK) o.SO_SNDBUF = Math.trunc(v(S.sndBuf) / 2)
  if (v(S.rcvTimeo) !== NO_TIMEOUT) o.SO_RCVTIMEO = jiffiesToMs(v(S.rcvTimeo), hz)
  if (v(S.sndTimeo) !== NO_TIMEOUT) o.SO_SNDTIMEO = jiffiesToMs(v(S.sndTimeo), hz)
  if (v(S.linger) !== 0) o.SO_LINGER = Math.floor(v(S.lingerTime) / hz)
  if (tcp) {
    o.TCP_NODELAY = (v(S.noNagle) & TCP_NAGLE_OFF) !== 0
    if (entry.state === 'LISTEN') o.TCP_FASTOPEN = v(S.fastOpenQlen)
    o.TCP_DEFER_ACCEPT = deferAcceptSeconds(v(S.deferAccept))
  } else {
    o.SO_BROADCAST = v(S.broadcast) !== 0
  }
  // Beyond the module's set: the value in effect, as the pidfd source reports it.
  if (tcp) {
    const congestion = records.string(i, BPF_STRING.congestion)
    if (congestion !== '') o.TCP_CONGESTION = congestion
  }
  o.SO_MARK = v(S.mark)
  o.SO_PRIORITY = v(S.priority)
  if (v(S.family) === AF_INET6) {
    o.IPV6_TCLASS = v(S.tclass)
    o.IPV6_V6ONLY = v(S.v6Only) !== 0
  } else {
    o.IP_TOS = v(S.tos)
  }
  const device = records.string(i, BPF_STRING.device)
  if (device !== '') o.SO_BINDTODEVICE = device
  // What TCP_MAXSEG set (rx_opt.user_mss, inherited by accepted sockets), in any state:
  // getsockopt shows it only before a connection, the field always.
  if (tcp && v(S.userMss) !== 0) o.TCP_MAXSEG = v(S.userMss)
  o.IP_FREEBIND = v(S.freeBind) !== 0
  o.IP_TRANSPARENT = v(S.transparent) !== 0
  if (tcp && v(S.notSentLowat) > 0) o.TCP_NOTSENT_LOWAT = v(S.notSentLowat)
  return o
}

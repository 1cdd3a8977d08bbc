// struct tcp_info (include/uapi/linux/tcp.h, newest layout: 280 bytes) as the kernel
// returns it in INET_DIAG_INFO, read by the length the running kernel sent: a field
// beyond that length is `null`, never 0.
//
// Caveats, because the kernel grew tcp_info by filling spare bits too:
// - sndWscale/rcvWscale/deliveryRateAppLimited/fastopenClientFail live in bytes 6..7,
//   present since 2.6; kernels before 4.9 (app_limited) and 5.5 (fastopen_client_fail)
//   leave those bits 0 rather than absent.
// - ecnMode/accecnOptSeen/accecnFailMode/options2 share the u32 at offset 276; a kernel
//   whose struct is 280 bytes long but predates them (the AccECN counters arrived
//   first, with a 4-byte hole) reports 0 there.
// - 64-bit counters are numbers: exact up to 2^53 (9 PB, or 285 years of µs), the
//   nearest double above.
//
// Units are the kernel's, unconverted (times in µs or ms, rates in bytes per second):
// each field's JSDoc below says which, and docs/native.md lists them.
import type { AlignedViews } from './aligned-views.js'
import { HOST_LITTLE_ENDIAN } from '../../util/host.js'
import { bitfield } from './bitfield.js'

export interface TcpInfo {
  /** The kernel's TCP state number (TCP_ESTABLISHED 1 .. TCP_NEW_SYN_RECV 12); no unit. */
  state: number | null
  /** Congestion-avoidance state, TCP_CA_Open 0 .. TCP_CA_Loss 4; no unit. */
  caState: number | null
  /** Retransmission timeouts in a row for the current data (count). */
  retransmits: number | null
  /** Zero-window or keepalive probes sent unanswered (count). */
  probes: number | null
  /** How many times the retransmission timer has doubled (count). */
  backoff: number | null
  /** TCPI_OPT_* bits (timestamps, sack, wscale, ecn, ecn_seen, syn_data, usec_ts, tfo_child); no unit. */
  options: number | null
  /** The peer's window scale: a shift count (bits), 0..14. */
  sndWscale: number | null
  /** Our window scale: a shift count (bits), 0..14. */
  rcvWscale: number | null
  /** `deliveryRate` was measured while the application had no more to send. */
  deliveryRateAppLimited: boolean | null
  /** Why TCP Fast Open failed as a client (TFO_STATUS_*, 0 none); no unit. */
  fastopenClientFail: number | null
  /** Retransmission timeout, in µs. */
  rto: number | null
  /** Delayed-ACK timeout, in µs. */
  ato: number | null
  /** Send MSS, in bytes. */
  sndMss: number | null
  /** Estimated receive MSS, in bytes. */
  rcvMss: number | null
  /** Segments sent and not acknowledged (segments); on a listener, the accept queue's length. */
  unacked: number | null
  /** Segments selectively acknowledged (segments); on a listener, its backlog limit. */
  sacked: number | null
  /** Segments thought lost (segments). */
  lost: number | null
  /** Segments retransmitted and not yet acknowledged (segments). */
  retrans: number | null
  /** Always 0 since Linux 4.18 (FACK removed); in segments before. */
  fackets: number | null
  /** Time since data was last sent, in ms. */
  lastDataSent: number | null
  /** Not maintained by Linux (always 0); in ms. */
  lastAckSent: number | null
  /** Time since data was last received, in ms. */
  lastDataRecv: number | null
  /** Time since an ACK was last received, in ms. */
  lastAckRecv: number | null
  /** Path MTU, in bytes. */
  pmtu: number | null
  /** Receive window clamp the window grows towards, in bytes. */
  rcvSsthresh: number | null
  /** Smoothed round-trip time, in µs (divide by 1000 for ms). */
  rtt: number | null
  /** Round-trip time variation, in µs. */
  rttvar: number | null
  /** Slow-start threshold, in segments. */
  sndSsthresh: number | null
  /** Congestion window, in segments. */
  sndCwnd: number | null
  /** MSS advertised to the peer, in bytes. */
  advmss: number | null
  /** Reordering the sender tolerates before it infers a loss, in segments. */
  reordering: number | null
  /** Round-trip time estimated by the receiver, in µs. */
  rcvRtt: number | null
  /** Receive buffer space the window is tuned to, in bytes. */
  rcvSpace: number | null
  /** Segments retransmitted over the connection's life (segments). */
  totalRetrans: number | null
  /** Current pacing rate, in bytes per second (2^64 - 1: unlimited). */
  pacingRate: number | null
  /** SO_MAX_PACING_RATE, in bytes per second (2^64 - 1: unlimited). */
  maxPacingRate: number | null
  /** Bytes acknowledged by the peer (RFC 4898 tcpEStatsAppHCThruOctetsAcked), in bytes. */
  bytesAcked: number | null
  /** Bytes received in order (RFC 4898 tcpEStatsAppHCThruOctetsReceived), in bytes. */
  bytesReceived: number | null
  /** Segments sent, retransmissions included (segments). */
  segsOut: number | null
  /** Segments received (segments). */
  segsIn: number | null
  /** Bytes written by the application and not yet sent, in bytes. */
  notsentBytes: number | null
  /** Minimum round-trip time seen (windowed), in µs. */
  minRtt: number | null
  /** Segments received carrying data (segments). */
  dataSegsIn: number | null
  /** Segments sent carrying data (segments). */
  dataSegsOut: number | null
  /** Most recent delivery rate, in bytes per second. */
  deliveryRate: number | null
  /** Time with data in flight, in µs. */
  busyTime: number | null
  /** Time limited by the peer's receive window, in µs. */
  rwndLimited: number | null
  /** Time limited by the send buffer, in µs. */
  sndbufLimited: number | null
  /** Segments delivered, retransmissions included (segments). */
  delivered: number | null
  /** Delivered segments the peer reported CE-marked (segments). */
  deliveredCe: number | null
  /** Bytes sent, retransmissions included (RFC 4898 tcpEStatsPerfHCDataOctetsOut), in bytes. */
  bytesSent: number | null
  /** Bytes retransmitted (RFC 4898 tcpEStatsPerfOctetsRetrans), in bytes. */
  bytesRetrans: number | null
  /** Segments the peer reported received twice, by DSACK (segments). */
  dsackDups: number | null
  /** Reordering events seen (count). */
  reordSeen: number | null
  /** Out-of-order packets received (packets). */
  rcvOoopack: number | null
  /** The peer's advertised window after scaling, in bytes (Linux ≥ 5.4). */
  sndWnd: number | null
  /** Our advertised window after scaling, in bytes (Linux ≥ 6.2). */
  rcvWnd: number | null
  /** Path rehashes after timeouts or PLB (count). */
  rehash: number | null
  /** Retransmission timeouts over the connection's life (count). */
  totalRto: number | null
  /** Recoveries from retransmission timeouts (count). */
  totalRtoRecoveries: number | null
  /** Time spent recovering from retransmission timeouts, in ms. */
  totalRtoTime: number | null
  /** CE-marked segments received (segments; AccECN). */
  receivedCe: number | null
  /** Payload delivered with ECT(1), as the peer reported, in bytes (AccECN). */
  deliveredE1Bytes: number | null
  /** Payload delivered with ECT(0), as the peer reported, in bytes (AccECN). */
  deliveredE0Bytes: number | null
  /** Payload delivered CE-marked, as the peer reported, in bytes (AccECN). */
  deliveredCeBytes: number | null
  /** Payload received with ECT(1), in bytes (AccECN). */
  receivedE1Bytes: number | null
  /** Payload received with ECT(0), in bytes (AccECN). */
  receivedE0Bytes: number | null
  /** Payload received CE-marked, in bytes (AccECN). */
  receivedCeBytes: number | null
  /** TCPI_ECN_MODE_DISABLED/RFC3168/ACCECN/PENDING; no unit. */
  ecnMode: number | null
  /** Which AccECN option the peer sent (TCP_ACCECN_OPT_*); no unit. */
  accecnOptSeen: number | null
  /** AccECN failure bits (TCP_ACCECN_*_FAIL_*); no unit. */
  accecnFailMode: number | null
  /** TCPI_OPT2_* bits; no unit. */
  options2: number | null
}

/** sizeof(struct tcp_info) in the newest layout this decoder knows. */
export const TCP_INFO_KNOWN_SIZE = 280

// Reads fields of one tcp_info at an 8-aligned offset of `views`; `end` is where
// the kernel's bytes stop. Reused across calls: decoding allocates only the result.
class FieldReader {
  views!: AlignedViews
  base = 0
  end = 0

  u8(offset: number): number | null {
    const at = this.base + offset
    return at + 1 <= this.end ? (this.views.u8[at] as number) : null
  }
  u16(offset: number): number | null {
    const at = this.base + offset
    return at + 2 <= this.end ? (this.views.u16[at >>> 1] as number) : null
  }
  u32(offset: number): number | null {
    const at = this.base + offset
    return at + 4 <= this.end ? (this.views.u32[at >>> 2] as number) : null
  }
  u64(offset: number): number | null {
    const at = this.base + offset
    if (at + 8 > this.end) return null
    const words = this.views.u32
    const index = at >>> 2
    const low = words[HOST_LITTLE_ENDIAN ? index : index + 1] as number
    const high = words[HOST_LITTLE_ENDIAN ? index + 1 : index] as number
    return high * 0x1_0000_0000 + low
  }
  bits(offset: number, unitBytes: 1 | 4, start: number, width: number): number | null {
    const unit = unitBytes === 1 ? this.u8(offset) : this.u32(offset)
    return unit === null ? null : bitfield(unit, start, width, unitBytes * 8)
  }
}

const reader = new FieldReader()

/** Decodes the `length` bytes of tcp_info at `offset` of `views`; `offset` must be a multiple of 8. */
export function readTcpInfo(views: AlignedViews, offset: number, length: number): TcpInfo {
  const r = reader
  r.views = views
  r.base = offset
  r.end = offset + length
  const appLimited = r.bits(7, 1, 0, 1)
  return {
    state: r.u8(0),
    caState: r.u8(1),
    retransmits: r.u8(2),
    probes: r.u8(3),
    backoff: r.u8(4),
    options: r.u8(5),
    sndWscale: r.bits(6, 1, 0, 4),
    rcvWscale: r.bits(6, 1, 4, 4),
    deliveryRateAppLimited: appLimited === null ? null : appLimited === 1,
    fastopenClientFail: r.bits(7, 1, 1, 2),
    rto: r.u32(8),
    ato: r.u32(12),
    sndMss: r.u32(16),
    rcvMss: r.u32(20),
    unacked: r.u32(24),
    sacked: r.u32(28),
    lost: r.u32(32),
    retrans: r.u32(36),
    fackets: r.u32(40),
    lastDataSent: r.u32(44),
    lastAckSent: r.u32(48),
    lastDataRecv: r.u32(52),
    lastAckRecv: r.u32(56),
    pmtu: r.u32(60),
    rcvSsthresh: r.u32(64),
    rtt: r.u32(68),
    rttvar: r.u32(72),
    sndSsthresh: r.u32(76),
    sndCwnd: r.u32(80),
    advmss: r.u32(84),
    reordering: r.u32(88),
    rcvRtt: r.u32(92),
    rcvSpace: r.u32(96),
    totalRetrans: r.u32(100),
    pacingRate: r.u64(104),
    maxPacingRate: r.u64(112),
    bytesAcked: r.u64(120),
    bytesReceived: r.u64(128),
    segsOut: r.u32(136),
    segsIn: r.u32(140),
    notsentBytes: r.u32(144),
    minRtt: r.u32(148),
    dataSegsIn: r.u32(152),
    dataSegsOut: r.u32(156),
    deliveryRate: r.u64(160),
    busyTime: r.u64(168),
    rwndLimited: r.u64(176),
    sndbufLimited: r.u64(184),
    delivered: r.u32(192),
    deliveredCe: r.u32(196),
    bytesSent: r.u64(200),
    bytesRetrans: r.u64(208),
    dsackDups: r.u32(216),
    reordSeen: r.u32(220),
    rcvOoopack: r.u32(224),
    sndWnd: r.u32(228),
    rcvWnd: r.u32(232),
    rehash: r.u32(236),
    totalRto: r.u16(240),
    totalRtoRecoveries: r.u16(242),
    totalRtoTime: r.u32(244),
    receivedCe: r.u32(248),
    deliveredE1Bytes: r.u32(252),
    deliveredE0Bytes: r.u32(256),
    deliveredCeBytes: r.u32(260),
    receivedE1Bytes: r.u32(264),
    receivedE0Bytes: r.u32(268),
    receivedCeBytes: r.u32(272),
    ecnMode: r.bits(276, 4, 0, 2),
    accecnOptSeen: r.bits(276, 4, 2, 2),
    accecnFailMode: r.bits(276, 4, 4, 4),
    options2: r.bits(276, 4, 8, 24),
  }
}

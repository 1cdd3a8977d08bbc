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
// Units: rto, ato, rtt, rttvar, minRtt, rcvRtt, busyTime, rwndLimited, sndbufLimited
// in µs; lastDataSent, lastAckSent, lastDataRecv, lastAckRecv, totalRtoTime in ms;
// pacingRate, maxPacingRate, deliveryRate in bytes/s; windows and *Bytes in bytes;
// sndCwnd, sndSsthresh, unacked, sacked, lost, retrans in segments.
import type { AlignedViews } from './aligned-views.js'
import { HOST_LITTLE_ENDIAN } from '../../util/host.js'
import { bitfield } from './bitfield.js'

export interface TcpInfo {
  state: number | null
  /** TCP_CA_Open .. TCP_CA_Loss. */
  caState: number | null
  retransmits: number | null
  probes: number | null
  backoff: number | null
  /** TCPI_OPT_* bits (timestamps, sack, wscale, ecn, ecn_seen, syn_data, usec_ts, tfo_child). */
  options: number | null
  sndWscale: number | null
  rcvWscale: number | null
  deliveryRateAppLimited: boolean | null
  fastopenClientFail: number | null
  rto: number | null
  ato: number | null
  sndMss: number | null
  rcvMss: number | null
  unacked: number | null
  sacked: number | null
  lost: number | null
  retrans: number | null
  fackets: number | null
  lastDataSent: number | null
  lastAckSent: number | null
  lastDataRecv: number | null
  lastAckRecv: number | null
  pmtu: number | null
  rcvSsthresh: number | null
  rtt: number | null
  rttvar: number | null
  sndSsthresh: number | null
  sndCwnd: number | null
  advmss: number | null
  reordering: number | null
  rcvRtt: number | null
  rcvSpace: number | null
  totalRetrans: number | null
  pacingRate: number | null
  maxPacingRate: number | null
  bytesAcked: number | null
  bytesReceived: number | null
  segsOut: number | null
  segsIn: number | null
  notsentBytes: number | null
  minRtt: number | null
  dataSegsIn: number | null
  dataSegsOut: number | null
  deliveryRate: number | null
  busyTime: number | null
  rwndLimited: number | null
  sndbufLimited: number | null
  delivered: number | null
  deliveredCe: number | null
  bytesSent: number | null
  bytesRetrans: number | null
  dsackDups: number | null
  reordSeen: number | null
  rcvOoopack: number | null
  /** The peer's advertised window after scaling (Linux ≥ 5.4). */
  sndWnd: number | null
  /** Our advertised window after scaling (Linux ≥ 6.2). */
  rcvWnd: number | null
  rehash: number | null
  totalRto: number | null
  totalRtoRecoveries: number | null
  totalRtoTime: number | null
  receivedCe: number | null
  deliveredE1Bytes: number | null
  deliveredE0Bytes: number | null
  deliveredCeBytes: number | null
  receivedE1Bytes: number | null
  receivedE0Bytes: number | null
  receivedCeBytes: number | null
  /** TCPI_ECN_MODE_DISABLED/RFC3168/ACCECN/PENDING. */
  ecnMode: number | null
  accecnOptSeen: number | null
  accecnFailMode: number | null
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

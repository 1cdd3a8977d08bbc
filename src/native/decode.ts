// Decodes the native records (src-native/diag/record_layout.h) into plain objects,
// one per socket, in one pass over typed-array views: no per-field calls into
// native code, and no allocation per socket beyond its own objects.
import { AddressCache } from './address-cache.js'
import { type AlignedViews, alignedViews } from './aligned-views.js'
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP } from './constants.js'
import { type SocketMemInfo, readMemInfo } from './mem-info.js'
import { PRESENT, R } from './record-layout.js'
import { type DiagSockopt, decodeSockopt } from './sockopt.js'
import { type TcpInfo, readTcpInfo } from './tcp-info.js'

/** One socket as netlink sock_diag reported it. `null`: the kernel did not send it. */
export interface RawSocket {
  proto: 'tcp' | 'udp'
  family: 4 | 6
  /** Kernel state number (TCP_ESTABLISHED = 1 …; see TCP_STATE). */
  state: number
  /** idiag_rqueue: LISTEN: accept backlog; TCP: unread bytes; UDP: receive memory in use. */
  recvQ: number
  /** idiag_wqueue: LISTEN: max backlog; TCP: unacknowledged bytes; UDP: send memory in use. */
  sendQ: number
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
  /** Bound device index, 0 for none. */
  ifindex: number
  uid: number
  /** 0 for sockets without a file (TIME_WAIT, SYN_RECV requests, orphans). */
  inode: number
  /** The kernel's socket cookie: stable for the socket's lifetime. */
  cookie: bigint
  /** idiag_timer: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe (DIAG_TIMER). */
  timer: number
  /** idiag_retrans: retransmits (timer 1, 2, 4) of the pending timer. */
  retransmits: number
  /** Milliseconds until the timer fires. */
  expiresMs: number
  /** INET_DIAG_SHUTDOWN: bit 0 receive side shut, bit 1 send side shut. */
  shutdown: number | null
  /** INET_DIAG_SKV6ONLY (IPv6 sockets in LISTEN or CLOSE). */
  v6only: boolean | null
  /** INET_DIAG_TOS (when requested). */
  tos: number | null
  /** INET_DIAG_TCLASS (IPv6, when requested). */
  tclass: number | null
  /** INET_DIAG_MARK (SO_MARK; sent only to CAP_NET_ADMIN callers). */
  mark: number | null
  /** INET_DIAG_CLASS_ID: net_cls class id, else SO_PRIORITY (sent with TCLASS requests). */
  classId: number | null
  /** INET_DIAG_CGROUP_ID: the cgroup v2 id of the socket's creator. */
  cgroupId: bigint | null
  /** INET_DIAG_SOCKOPT (Linux ≥ 5.10); a frozen object shared by sockets with the same flags. */
  sockopt: Readonly<DiagSockopt> | null
  /** INET_DIAG_CONG: congestion control name (TCP, when tcp_info was requested). */
  congestion: string | null
  /** INET_DIAG_SKMEMINFO (when requested). */
  memInfo: SocketMemInfo | null
  /** INET_DIAG_INFO for TCP (when requested; not for TIME_WAIT/SYN_RECV minisockets). */
  tcpInfo: TcpInfo | null
}

/** The records of `buf` were not written by a matching native binary. */
export class RecordDecodeError extends Error {
  readonly code = 'ERR_KNETSTAT_RECORD'
  constructor(message: string) {
    super(message)
    this.name = 'RecordDecodeError'
  }
}

/** Sockets decoded from part of a record buffer, and where the next record starts. */
export interface RecordChunk {
  sockets: RawSocket[]
  /** Byte offset of the first record not decoded; `buf.byteLength` when all were. */
  next: number
}

/**
 * Decodes every record of `buf` (the Buffer `dump` resolved with). Records of
 * protocols other than TCP/UDP are skipped; a record whose lengths do not add up
 * throws RecordDecodeError (a binary/decoder mismatch, never valid input).
 */
export function decodeRecords(buf: Uint8Array): RawSocket[] {
  return decodeRecordChunk(buf, 0, Number.POSITIVE_INFINITY).sockets
}

// Views of the buffers being decoded in chunks, so a misaligned buffer is copied once.
const viewsOf = new WeakMap<Uint8Array, AlignedViews>()

/**
 * Decodes at most `maxSockets` records of `buf` starting at byte `start` (0, or a
 * `next` this function returned), so a caller can yield to the event loop between
 * chunks of a big dump.
 */
export function decodeRecordChunk(buf: Uint8Array, start: number, maxSockets: number): RecordChunk {
  let views = viewsOf.get(buf)
  if (views === undefined) {
    views = alignedViews(buf)
    if (views.u8 !== buf) viewsOf.set(buf, views)
  }
  const { u8, u16, u32, u64 } = views
  const addresses = new AddressCache()
  const sockets: RawSocket[] = []
  const total = u8.byteLength
  let congestionBytes: Uint8Array | null = null
  let congestionText: string | null = null
  // Sockets of one service share a cgroup: reuse the BigInt while the id repeats.
  let cgroupLow = -1
  let cgroupHigh = -1
  let cgroupId: bigint | null = null

  let at = start
  if (!Number.isInteger(at) || at < 0 || at > total || at % 8 !== 0) {
    throw new RangeError(`start must be a record boundary within the buffer, not ${start}`)
  }
  while (at < total && sockets.length < maxSockets) {
    if (total - at < R.headerSize) throw new RecordDecodeError(`record at byte ${at} is truncated`)
    const size = u32[(at + R.size) >>> 2] as number
    const infoLength = u16[(at + R.tcpInfoLength) >>> 1] as number
    const congestionLength = u8[at + R.congestionLength] as number
    if (size < R.headerSize + infoLength + congestionLength || size % 8 !== 0 || size > total - at) {
      throw new RecordDecodeError(`record at byte ${at} has an impossible size ${size}`)
    }
    const protocol = u8[at + R.protocol]
    const proto = protocol === IPPROTO_TCP ? 'tcp' : protocol === IPPROTO_UDP ? 'udp' : null
    const familyCode = u8[at + R.family]
    const family = familyCode === AF_INET ? 4 : familyCode === AF_INET6 ? 6 : null
    if (proto === null || family === null) {
      at += size
      continue
    }
    const present = u16[(at + R.present) >>> 1] as number
    const tail = at + R.headerSize

    if (present & PRESENT.cgroupId) {
      const index = (at + R.cgroupId) >>> 2
      const low = u32[index] as number
      const high = u32[index + 1] as number
      if (low !== cgroupLow || high !== cgroupHigh || cgroupId === null) {
        cgroupLow = low
        cgroupHigh = high
        cgroupId = u64[(at + R.cgroupId) >>> 3] as bigint
      }
    }

    let congestion: string | null = null
    if (present & PRESENT.congestion) {
      const start = tail + infoLength
      // The same algorithm name repeats on nearly every socket: reuse the last string.
      if (!sameBytes(congestionBytes, u8, start, congestionLength)) {
        congestionBytes = u8.slice(start, start + congestionLength)
        congestionText = String.fromCharCode(...congestionBytes)
      }
      congestion = congestionText
    }

    sockets.push({
      proto,
      family,
      state: u8[at + R.state] as number,
      recvQ: u32[(at + R.recvQ) >>> 2] as number,
      sendQ: u32[(at + R.sendQ) >>> 2] as number,
      localAddress: addresses.format(views, at + R.localAddress, family),
      localPort: u16[(at + R.localPort) >>> 1] as number,
      remoteAddress: addresses.format(views, at + R.remoteAddress, family),
      remotePort: u16[(at + R.remotePort) >>> 1] as number,
      ifindex: u32[(at + R.ifindex) >>> 2] as number,
      uid: u32[(at + R.uid) >>> 2] as number,
      inode: u32[(at + R.inode) >>> 2] as number,
      cookie: u64[(at + R.cookie) >>> 3] as bigint,
      timer: u8[at + R.timer] as number,
      retransmits: u8[at + R.retransmits] as number,
      expiresMs: u32[(at + R.expiresMs) >>> 2] as number,
      shutdown: present & PRESENT.shutdown ? (u8[at + R.shutdown] as number) : null,
      v6only: present & PRESENT.v6only ? u8[at + R.v6only] !== 0 : null,
      tos: present & PRESENT.tos ? (u8[at + R.tos] as number) : null,
      tclass: present & PRESENT.tclass ? (u8[at + R.tclass] as number) : null,
      mark: present & PRESENT.mark ? (u32[(at + R.mark) >>> 2] as number) : null,
      classId: present & PRESENT.classId ? (u32[(at + R.classId) >>> 2] as number) : null,
      cgroupId: present & PRESENT.cgroupId ? cgroupId : null,
      sockopt: present & PRESENT.sockopt ? decodeSockopt(u8[at + R.sockopt] as number, u8[at + R.sockopt + 1] as number) : null,
      congestion,
      memInfo:
        present & PRESENT.meminfo
          ? readMemInfo(u32, (at + R.meminfo) >>> 2, Math.min(u8[at + R.meminfoCount] as number, 9))
          : null,
      tcpInfo: present & PRESENT.tcpInfo ? readTcpInfo(views, tail, infoLength) : null,
    })
    at += size
  }
  return { sockets, next: at }
}

function sameBytes(known: Uint8Array | null, bytes: Uint8Array, start: number, length: number): boolean {
  if (known === null || known.length !== length) return false
  for (let i = 0; i < length; i++) if (known[i] !== bytes[start + i]) return false
  return true
}

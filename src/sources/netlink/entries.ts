// Native records (record_layout.h) straight to SocketEntry objects, in one pass over
// typed-array views, with no intermediate object per socket.
//
// What makes a big listing cheap:
// - `tcpInfo` (76 fields) and `netlink` (15 fields and two objects) are decoded on
//   first access. They are own, enumerable accessor properties that replace
//   themselves with plain data properties when read or assigned, so
//   `JSON.stringify(entry)`, `{ ...entry }`, `Object.keys(entry)`, structuredClone
//   and deep-equality see the full values as before. The record stays reachable
//   from the entry (under a symbol key) until then. util.inspect shows the same
//   plain data (inspect-entry.ts), not the accessors and the record.
// - The diag flags are read from the four tcp_info fields they need and shared as
//   frozen objects, one per combination.
// - Address strings repeat (loopback, a service's own address): each is formatted
//   once per decoder.
import { cookieKeyFromDetails, listedFromDetails, type ListedAttributes } from '../source.js'
import { AddressCache } from './address-cache.js'
import { CookieSet } from './cookie-set.js'
import { TCP_STATES, type DiagFlags, type NetlinkDetails, type SocketEntry, type SocketTimer } from '../../model.js'
import { type AlignedViews, alignedViews } from './aligned-views.js'
import { hasConditions, matchesFilter, type SocketFilter } from '../../filter.js'
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, TCP_STATE } from '../../util/linux.js'
import { cookieKey, cookieText, type CookieKey } from '../../util/cookie.js'
import { HOST_LITTLE_ENDIAN } from '../../util/host.js'
import { readMemInfo } from './mem-info.js'
import { PRESENT, R } from './record-layout.js'
import { decodeSockopt } from './sockopt.js'
import { INSPECT, inspectEntry } from './inspect-entry.js'
import { type TcpInfo, readTcpInfo } from './tcp-info.js'

const TIMERS: readonly SocketTimer[] = ['none', 'retransmit', 'keepalive', 'time_wait', 'zero_window_probe']

/** The records were not written by a matching native binary: their lengths do not add up. */
export class RecordDecodeError extends Error {
  readonly code = 'ERR_KNETSTAT_RECORD'
  constructor(message: string) {
    super(message)
    this.name = 'RecordDecodeError'
  }
}

/** What to keep and how to decode, fixed for one listing: the kernel's filter, re-checked here, and more. */
export interface EntryOptions extends SocketFilter {
  /** Attach `tcpInfo` to TCP entries (and derive the diag flags from it). */
  tcpInfo: boolean
  /** Bit `1 << state` of every kept kernel state (0xffffffff: all). */
  stateMask: number
}

const VIEWS = Symbol('knetstat.recordViews')
const RECORD = Symbol('knetstat.recordOffset')

interface LazyEntry extends SocketEntry {
  [VIEWS]?: AlignedViews
  [RECORD]?: number
  [INSPECT]?: typeof inspectEntry
}

function settle(entry: LazyEntry, key: 'tcpInfo' | 'netlink', value: unknown): void {
  Object.defineProperty(entry, key, { value, writable: true, enumerable: true, configurable: true })
}

/** A property computed from the entry's record on first read, then a plain value. */
function lazyProperty(key: 'tcpInfo' | 'netlink', read: (views: AlignedViews, at: number) => unknown): PropertyDescriptor {
  return {
    get(this: LazyEntry): unknown {
      const value = read(this[VIEWS] as AlignedViews, this[RECORD] as number)
      settle(this, key, value)
      return value
    },
    set(this: LazyEntry, value: unknown) {
      settle(this, key, value)
    },
    enumerable: true,
    configurable: true,
  }
}

const TCP_INFO_PROPERTY = lazyProperty('tcpInfo', (views, at) => tcpInfoOf(views, at))
const NETLINK_PROPERTY = lazyProperty('netlink', (views, at) => detailsOf(views, at))

function tcpInfoOf(views: AlignedViews, at: number): TcpInfo | null {
  const present = views.u16[(at + R.present) >>> 1] as number
  if (!(present & PRESENT.tcpInfo)) return null
  return readTcpInfo(views, at + R.headerSize, views.u16[(at + R.tcpInfoLength) >>> 1] as number)
}

const SHUTDOWN = [0, 1, 2, 3].map((bits) => Object.freeze({ read: (bits & 1) !== 0, write: (bits & 2) !== 0 }))

// Congestion control names: a host has a handful, so each is made into a string once.
const congestionNames: string[] = []

function congestionOf(u8: Uint8Array, u16: Uint16Array, at: number, present: number): string | null {
  if (!(present & PRESENT.congestion)) return null
  const start = at + R.headerSize + (u16[(at + R.tcpInfoLength) >>> 1] as number)
  const length = u8[at + R.congestionLength] as number
  next: for (const name of congestionNames) {
    if (name.length !== length) continue
    for (let k = 0; k < length; k++) if (name.charCodeAt(k) !== u8[start + k]) continue next
    return name
  }
  const name = String.fromCharCode(...u8.subarray(start, start + length))
  if (congestionNames.length < 16) congestionNames.push(name)
  return name
}

function detailsOf(views: AlignedViews, at: number): NetlinkDetails {
  const { u8, u16, u32, u64 } = views
  const present = u16[(at + R.present) >>> 1] as number
  const cookieIndex = (at + R.cookie) >>> 2
  return {
    cookie: cookieText(u32[cookieIndex + LOW_WORD] as number, u32[cookieIndex + HIGH_WORD] as number),
    ifindex: u32[(at + R.ifindex) >>> 2] as number,
    timer: TIMERS[u8[at + R.timer] as number] ?? 'none',
    retransmits: u8[at + R.retransmits] as number,
    expiresMs: u32[(at + R.expiresMs) >>> 2] as number,
    shutdown: present & PRESENT.shutdown ? { ...(SHUTDOWN[(u8[at + R.shutdown] as number) & 3] as { read: boolean; write: boolean }) } : null,
    v6only: present & PRESENT.v6only ? u8[at + R.v6only] !== 0 : null,
    tos: present & PRESENT.tos ? (u8[at + R.tos] as number) : null,
    tclass: present & PRESENT.tclass ? (u8[at + R.tclass] as number) : null,
    mark: present & PRESENT.mark ? (u32[(at + R.mark) >>> 2] as number) : null,
    classId: present & PRESENT.classId ? (u32[(at + R.classId) >>> 2] as number) : null,
    cgroupId: present & PRESENT.cgroupId ? (u64[(at + R.cgroupId) >>> 3] as bigint).toString() : null,
    sockopt: present & PRESENT.sockopt ? decodeSockopt(u8[at + R.sockopt] as number, u8[at + R.sockopt + 1] as number) : null,
    congestion: congestionOf(u8, u16, at, present),
    memInfo: present & PRESENT.meminfo ? readMemInfo(u32, (at + R.meminfo) >>> 2, Math.min(u8[at + R.meminfoCount] as number, 9)) : null,
  }
}

/**
 * The option-like attributes of `entry.netlink` into `out`, read from the entry's
 * record without decoding (and keeping) the rest: a listing of 100k entries would
 * spend about a second and the memory of 100k details objects on them otherwise
 * (the plan hands this to the option sources: SourceContext.listed). An entry not
 * decoded here gives `entry.netlink`'s; false when it has none.
 */
export function readListedAttributes(entry: SocketEntry, out: ListedAttributes): boolean {
  const views = (entry as LazyEntry)[VIEWS]
  if (views === undefined) return listedFromDetails(entry, out)
  const at = (entry as LazyEntry)[RECORD] as number
  const { u8, u16, u32 } = views
  const present = u16[(at + R.present) >>> 1] as number
  out.tos = present & PRESENT.tos ? (u8[at + R.tos] as number) : null
  out.tclass = present & PRESENT.tclass ? (u8[at + R.tclass] as number) : null
  out.v6only = present & PRESENT.v6only ? u8[at + R.v6only] !== 0 : null
  out.sockopt = present & PRESENT.sockopt ? decodeSockopt(u8[at + R.sockopt] as number, u8[at + R.sockopt + 1] as number) : null
  out.congestion = congestionOf(u8, u16, at, present)
  out.mark = present & PRESENT.mark ? (u32[(at + R.mark) >>> 2] as number) : null
  out.classId = present & PRESENT.classId ? (u32[(at + R.classId) >>> 2] as number) : null
  out.ifindex = u32[(at + R.ifindex) >>> 2] as number
  return true
}

/**
 * The entry's cookie as a map key, read from its record in place (SourceContext.cookieOf):
 * no details object and no string per entry. null for an entry without one.
 */
export function readCookieKey(entry: SocketEntry): CookieKey | null {
  const views = (entry as LazyEntry)[VIEWS]
  if (views === undefined) return cookieKeyFromDetails(entry)
  const index = (((entry as LazyEntry)[RECORD] as number) + R.cookie) >>> 2
  return cookieKey(views.u32[index + LOW_WORD] as number, views.u32[index + HIGH_WORD] as number)
}

/** The entry's cgroup id (decimal, as `netlink.cgroupId`), read in place; null when the kernel sent none. */
export function readCgroupId(entry: SocketEntry): string | null {
  const views = (entry as LazyEntry)[VIEWS]
  if (views === undefined) return entry.netlink?.cgroupId ?? null
  const at = (entry as LazyEntry)[RECORD] as number
  if (((views.u16[(at + R.present) >>> 1] as number) & PRESENT.cgroupId) === 0) return null
  const index = (at + R.cgroupId) >>> 2
  const high = views.u32[index + HIGH_WORD] as number
  // Ids are small (a counter of cgroups made since boot): exact as a double below 2^53.
  if (high < 0x200000) return String(high * 0x100000000 + (views.u32[index + LOW_WORD] as number))
  return (views.u64[(at + R.cgroupId) >>> 3] as bigint).toString()
}

/** Which u32 of a host-order u64 holds its low and its high 32 bits. */
const LOW_WORD = HOST_LITTLE_ENDIAN ? 0 : 1
const HIGH_WORD = 1 - LOW_WORD


// Diag flags: null, false or true for each of the three, as one shared frozen object per combination.
const FLAG_VALUES = [null, false, true] as const
const DIAG_FLAGS: readonly Readonly<DiagFlags>[] = Array.from({ length: 27 }, (_, i) =>
  Object.freeze({
    sendWindowZero: FLAG_VALUES[Math.floor(i / 9)] as boolean | null,
    receiveWindowZero: FLAG_VALUES[Math.floor(i / 3) % 3] as boolean | null,
    ackStalled: FLAG_VALUES[i % 3] as boolean | null,
  }),
)
const ALL_NULL = DIAG_FLAGS[0] as DiagFlags
const ALL_FALSE = DIAG_FLAGS[13] as DiagFlags
const flagIndex = (flag: boolean | null): number => (flag === null ? 0 : flag ? 2 : 1)

// tcp_info offsets of the fields the flags come from (tcp-info.ts reads them all).
const TI_UNACKED = 24
const TI_LAST_ACK_RECV = 56
const TI_SND_WND = 228
const TI_RCV_WND = 232

/**
 * The diag flags of a TCP record with tcp_info asked for. Only ESTABLISHED sockets
 * can have them (false otherwise); a flag whose tcp_info fields this kernel did not
 * send, or a socket without tcp_info, is null. Read straight from the tcp_info bytes.
 */
function diagFlags(u16: Uint16Array, u32: Uint32Array, at: number, present: number, state: number): DiagFlags {
  if (state !== TCP_STATE.ESTABLISHED) return ALL_FALSE
  if (!(present & PRESENT.tcpInfo)) return ALL_NULL
  const length = u16[(at + R.tcpInfoLength) >>> 1] as number
  const base = at + R.headerSize
  const word = (offset: number): number | null => (offset + 4 <= length ? (u32[(base + offset) >>> 2] as number) : null)
  const sndWnd = word(TI_SND_WND)
  const rcvWnd = word(TI_RCV_WND)
  const unacked = word(TI_UNACKED)
  const lastAckRecv = word(TI_LAST_ACK_RECV)
  const s = sndWnd === null ? null : sndWnd === 0
  const r = rcvWnd === null ? null : rcvWnd === 0
  const a = unacked === null || lastAckRecv === null ? null : unacked > 0 && lastAckRecv > 1000
  return DIAG_FLAGS[flagIndex(s) * 9 + flagIndex(r) * 3 + flagIndex(a)] as DiagFlags
}

/** Entries decoded from part of a record buffer, and where the next record starts. */
export interface EntryChunk {
  entries: SocketEntry[]
  /** Byte offset of the first record not decoded; the buffer's length when all were. */
  next: number
}

/**
 * Decodes records into entries; one per listing, so repeated strings are shared across
 * chunks, and a socket the dump repeats is kept once.
 *
 * Why repeats happen: inet_diag resumes each recvmsg of a dump at a bucket index and
 * a position within the bucket, so a socket added to or removed from that bucket
 * between two reads shifts the position and the next read sends again a socket it
 * sent already (or skips one), and the kernel does not flag such a dump
 * NLM_F_DUMP_INTR. The socket cookie identifies a socket while it lives (TIME_WAIT
 * and request sockets too, which have no inode; a TIME_WAIT socket keeps the cookie
 * of the connection it was), so a cookie already decoded in this dump is dropped.
 * One CookieSet per table (protocol and family): memory grows with the entries
 * kept, 8 to 16 bytes each (docs/native.md).
 */
export class EntryDecoder {
  private readonly addresses = new AddressCache()
  /** Cookies kept so far, by table: tcp4, tcp6, udp4, udp6. */
  private readonly cookies = [new CookieSet(), new CookieSet(), new CookieSet(), new CookieSet()]
  /** Records dropped because their socket was kept already (a repeat within the dump). */
  duplicates = 0

  constructor(readonly options: EntryOptions) {}

  /**
   * Decodes the records of `buf` from byte `start` (0 or a `next` returned before),
   * at most `maxRecords` of them, keeping those the options select. Throws
   * RecordDecodeError for records whose lengths do not add up, and a RangeError for a
   * `start` that cannot be a record boundary.
   */
  decode(buf: Uint8Array, start = 0, maxRecords = Number.POSITIVE_INFINITY, views: AlignedViews = alignedViews(buf)): EntryChunk {
    const { u8, u16, u32 } = views
    const o = this.options
    const filtered = hasConditions(o)
    const entries: SocketEntry[] = []
    const total = u8.byteLength
    if (!Number.isInteger(start) || start < 0 || start > total || start % 8 !== 0) {
      throw new RangeError(`start must be a record boundary within the buffer, not ${start}`)
    }
    let at = start
    let seen = 0
    while (at < total && seen < maxRecords) {
      if (total - at < R.headerSize) throw new RecordDecodeError(`record at byte ${at} is truncated`)
      const size = u32[(at + R.size) >>> 2] as number
      const infoLength = u16[(at + R.tcpInfoLength) >>> 1] as number
      if (size < R.headerSize + infoLength + (u8[at + R.congestionLength] as number) || size % 8 !== 0 || size > total - at) {
        throw new RecordDecodeError(`record at byte ${at} has an impossible size ${size}`)
      }
      const record = at
      at += size
      seen++
      const protocol = u8[record + R.protocol]
      const familyCode = u8[record + R.family]
      const tcp = protocol === IPPROTO_TCP
      if ((!tcp && protocol !== IPPROTO_UDP) || (familyCode !== AF_INET && familyCode !== AF_INET6)) continue
      const family: 4 | 6 = familyCode === AF_INET ? 4 : 6
      const stateNumber = u8[record + R.state] as number
      // The kernel already filtered; these re-checks keep the result exact whatever it did.
      if (stateNumber > 31 || ((o.stateMask >>> stateNumber) & 1) === 0) continue
      const localPort = u16[(record + R.localPort) >>> 1] as number
      const remotePort = u16[(record + R.remotePort) >>> 1] as number
      if (filtered && !matchesFilter(o, family, localPort, remotePort, u8, record + R.localAddress, record + R.remoteAddress)) continue
      // Kept once per socket: see the class comment.
      const cookieIndex = (record + R.cookie) >>> 2
      const cookies = this.cookies[(tcp ? 0 : 2) + (family === 6 ? 1 : 0)] as CookieSet
      if (!cookies.add(u32[cookieIndex + LOW_WORD] as number, u32[cookieIndex + HIGH_WORD] as number)) {
        this.duplicates++
        continue
      }
      const present = u16[(record + R.present) >>> 1] as number
      const state = TCP_STATES[stateNumber - 1] ?? 'CLOSE'
      const inode = u32[(record + R.inode) >>> 2] as number
      // TIME_WAIT and request sockets have no file: no inode and no owner.
      const hasFile = inode !== 0
      const sendQ = u32[(record + R.sendQ) >>> 2] as number
      const listening = stateNumber === TCP_STATE.LISTEN
      const withInfo = tcp && o.tcpInfo
      const entry: LazyEntry = {
        proto: tcp ? 'tcp' : 'udp',
        family,
        state,
        recvQ: u32[(record + R.recvQ) >>> 2] as number,
        // netlink gives a listener's backlog limit here; the knetstat model (and
        // /proc/net/tcp) has 0, and the limit goes to `backlog`.
        sendQ: listening ? 0 : sendQ,
        local: { address: this.addresses.format(views, record + R.localAddress, family), port: localPort },
        remote: { address: this.addresses.format(views, record + R.remoteAddress, family), port: remotePort },
        uid: hasFile ? (u32[(record + R.uid) >>> 2] as number) : null,
        inode: hasFile ? inode : null,
        diag: !tcp
          ? ALL_FALSE
          : withInfo
            ? diagFlags(u16, u32, record, present, stateNumber)
            : stateNumber === TCP_STATE.ESTABLISHED
              ? ALL_NULL
              : ALL_FALSE,
        options: null,
        optionsSource: null,
        // In the literal, so they take in-object slots instead of a property array.
        [VIEWS]: views,
        [RECORD]: record,
        // Prints as plain data; one shared function (a prototype of their own would
        // change every entry's shape and what deep equality sees).
        [INSPECT]: inspectEntry,
      }
      if (listening && tcp) entry.backlog = sendQ
      if (withInfo) Object.defineProperty(entry, 'tcpInfo', TCP_INFO_PROPERTY)
      Object.defineProperty(entry, 'netlink', NETLINK_PROPERTY)
      entries.push(entry)
    }
    return { entries, next: at }
  }
}

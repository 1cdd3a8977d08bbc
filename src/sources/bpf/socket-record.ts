// Decodes the records readBpfSockets writes (src-native/bpf/socket_record.h): the
// kernel's raw field values per socket. Semantics live in semantics.ts.
import { cookieKey, cookieText, type CookieKey } from '../../util/cookie.js'
import { SlotRecords } from '../slot-records.js'

/** Must equal bpf::kSocketAbiVersion. */
export const BPF_ABI_VERSION = 1

/** Slot order of bpf::Slot. */
const SLOTS = [
  'cookieLow',
  'cookieHigh',
  'inode',
  'family',
  'state',
  'reuse',
  'reusePort',
  'v6Only',
  'keepOpen',
  'linger',
  'broadcast',
  'userLocks',
  'rcvBuf',
  'sndBuf',
  'rcvTimeo',
  'sndTimeo',
  'lingerTime',
  'mark',
  'priority',
  'tos',
  'tclass',
  'freeBind',
  'transparent',
  'noNagle',
  'keepIdle',
  'keepIntvl',
  'keepCnt',
  'userTimeout',
  'deferAccept',
  'fastOpenQlen',
  'notSentLowat',
  'userMss',
] as const

export type BpfSlot = (typeof SLOTS)[number]
export const BPF_SLOT = Object.fromEntries(SLOTS.map((name, i) => [name, i])) as Record<BpfSlot, number>

/** Which string: the congestion control algorithm, the bound device. */
export const BPF_STRING = { congestion: 0, device: 1 } as const

export class BpfSocketRecords extends SlotRecords {
  constructor(buf: Uint8Array) {
    super(buf, SLOTS.length, 2, 'bpf socket records')
  }

  /** The socket's cookie as netlink's entries carry it (NetlinkDetails.cookie). */
  cookie(record: number): string {
    const low = this.value(record, BPF_SLOT.cookieLow) ?? 0
    const high = this.value(record, BPF_SLOT.cookieHigh) ?? 0
    return cookieText(low, high)
  }

  /** The cookie as a map key (util/cookie.ts); null when the record has none (0). */
  cookieKey(record: number): CookieKey | null {
    const low = this.value(record, BPF_SLOT.cookieLow) ?? 0
    const high = this.value(record, BPF_SLOT.cookieHigh) ?? 0
    return low === 0 && high === 0 ? null : cookieKey(low, high)
  }
}

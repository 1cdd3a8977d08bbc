// Decodes the option records of readSocketOptions (src-native/pidfd/option_record.h):
// float64 slots, NaN where getsockopt failed or was not attempted, then two 16-byte
// NUL-padded strings (read by ../slot-records.ts). Raw kernel values only; semantics
// live in semantics.ts.
import { SlotRecords } from '../slot-records.js'

/** Must equal pidfd::kOptionAbiVersion. */
export const OPTION_ABI_VERSION = 2

/** Slot order of pidfd::Slot. */
const SLOTS = [
  'inode',
  'pid',
  'fd',
  'errno',
  'syscall',
  'domain',
  'protocol',
  'reuseAddr',
  'reusePort',
  'keepAlive',
  'broadcast',
  'rcvBuf',
  'sndBuf',
  'rcvTimeoSec',
  'rcvTimeoUsec',
  'sndTimeoSec',
  'sndTimeoUsec',
  'lingerOnOff',
  'lingerSec',
  'mark',
  'priority',
  'tcpNoDelay',
  'tcpKeepIdle',
  'tcpKeepIntvl',
  'tcpKeepCnt',
  'tcpUserTimeout',
  'tcpFastOpen',
  'tcpDeferAccept',
  'tcpMaxSeg',
  'tcpNotSentLowat',
  'ipTos',
  'ipFreeBind',
  'ipTransparent',
  'ipv6TClass',
  'ipv6V6Only',
] as const

export type Slot = (typeof SLOTS)[number]


export const SYSCALLS = ['', 'pidfd_open', 'pidfd_getfd', 'fstat'] as const


/** Slot indices by name. */
export const SLOT = Object.fromEntries(SLOTS.map((name, i) => [name, i])) as Record<Slot, number>

/**
 * The records of one readSocketOptions call, read in place: no object per record.
 * `value` is null where getsockopt failed or did not apply; `string` 0 is
 * TCP_CONGESTION, 1 SO_BINDTODEVICE ("" when empty or unread).
 */
export class OptionRecords extends SlotRecords {
  constructor(buf: Uint8Array) {
    super(buf, SLOTS.length, 2, 'option records')
  }
}

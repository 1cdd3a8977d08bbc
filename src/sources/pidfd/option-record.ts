// Decodes the option records of readSocketOptions (src-native/pidfd/option_record.h):
// float64 slots, NaN where getsockopt failed or was not attempted, then two 16-byte
// NUL-padded strings. Raw kernel values only; semantics live in semantics.ts.

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

const STRING_BYTES = 16
export const OPTION_RECORD_BYTES = SLOTS.length * 8 + 2 * STRING_BYTES

export const SYSCALLS = ['', 'pidfd_open', 'pidfd_getfd', 'fstat'] as const

const decoder = new TextDecoder('utf-8', { fatal: false })

/** Slot indices by name. */
export const SLOT = Object.fromEntries(SLOTS.map((name, i) => [name, i])) as Record<Slot, number>

/**
 * The records of one readSocketOptions call, read in place: no object per record.
 * `value` is null where getsockopt failed or did not apply.
 */
export class OptionRecords {
  readonly count: number
  private readonly f64: Float64Array
  private readonly bytes: Uint8Array

  constructor(buf: Uint8Array) {
    if (buf.byteLength % OPTION_RECORD_BYTES !== 0) {
      throw new Error(`option records: ${buf.byteLength} bytes is not a multiple of the ${OPTION_RECORD_BYTES}-byte record`)
    }
    // The addon's buffers are 8-byte aligned; copy in the unlikely case one is not.
    const aligned = buf.byteOffset % 8 === 0 ? buf : Uint8Array.from(buf)
    this.bytes = aligned
    this.f64 = new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8)
    this.count = buf.byteLength / OPTION_RECORD_BYTES
  }

  value(record: number, slot: number): number | null {
    const v = this.f64[record * (OPTION_RECORD_BYTES / 8) + slot] as number
    return v !== v ? null : v
  }

  /** 0: TCP_CONGESTION, 1: SO_BINDTODEVICE; "" when empty or unread. */
  string(record: number, which: 0 | 1): string {
    const start = record * OPTION_RECORD_BYTES + SLOTS.length * 8 + which * STRING_BYTES
    const bytes = this.bytes
    if (bytes[start] === 0) return ''
    let end = start
    let ascii = true
    while (end < start + STRING_BYTES && bytes[end] !== 0) {
      if ((bytes[end] as number) > 0x7e) ascii = false
      end++
    }
    if (!ascii) return decoder.decode(bytes.subarray(start, end))
    let out = ''
    for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i] as number)
    return out
  }
}

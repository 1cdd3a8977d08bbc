// Decodes the option records of readSocketOptions (src-native/pidfd/option_record.h):
// float64 slots, NaN where getsockopt failed or was not attempted, then two 16-byte
// NUL-padded strings. Raw kernel values only; semantics live in pidfd.ts.

import { HOST_LITTLE_ENDIAN } from '../util/host.js'

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

/** One socket's raw getsockopt values; `null` where getsockopt failed or does not apply. */
export type RawOptions = Record<Slot, number | null> & { congestion: string; device: string }

export const SYSCALLS = ['', 'pidfd_open', 'pidfd_getfd', 'fstat'] as const

const decoder = new TextDecoder('utf-8', { fatal: false })

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0)
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end))
}

/** Slot indices by name. */
export const SLOT = Object.fromEntries(SLOTS.map((name, i) => [name, i])) as Record<Slot, number>
export const SLOT_COUNT = SLOTS.length

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

/** Splits a record buffer into raw option sets, in target order. */
export function decodeOptionRecords(buf: Uint8Array): RawOptions[] {
  if (buf.byteLength % OPTION_RECORD_BYTES !== 0) {
    throw new Error(`option records: ${buf.byteLength} bytes is not a multiple of the ${OPTION_RECORD_BYTES}-byte record`)
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const records: RawOptions[] = []
  for (let at = 0; at < buf.byteLength; at += OPTION_RECORD_BYTES) {
    const raw = {} as RawOptions
    for (let i = 0; i < SLOTS.length; i++) {
      const v = view.getFloat64(at + i * 8, HOST_LITTLE_ENDIAN)
      raw[SLOTS[i] as Slot] = Number.isNaN(v) ? null : v
    }
    const strings = at + SLOTS.length * 8
    raw.congestion = cString(buf.subarray(strings, strings + STRING_BYTES))
    raw.device = cString(buf.subarray(strings + STRING_BYTES, strings + 2 * STRING_BYTES))
    records.push(raw)
  }
  return records
}

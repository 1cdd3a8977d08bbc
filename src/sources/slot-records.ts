// Records of float64 slots followed by NUL-padded 16-byte strings, read in place (no
// object per record): the layout the addon's option readers write (pidfd's
// option_record.h, bpf's socket_record.h). NaN in a slot means "not read".

const STRING_BYTES = 16
const decoder = new TextDecoder('utf-8', { fatal: false })

export class SlotRecords {
  readonly count: number
  private readonly f64: Float64Array
  private readonly bytes: Uint8Array
  private readonly recordBytes: number

  constructor(
    buf: Uint8Array,
    private readonly slots: number,
    strings: number,
    what: string,
  ) {
    this.recordBytes = slots * 8 + strings * STRING_BYTES
    if (buf.byteLength % this.recordBytes !== 0) {
      throw new Error(`${what}: ${buf.byteLength} bytes is not a multiple of the ${this.recordBytes}-byte record`)
    }
    // The addon's buffers are 8-byte aligned; copy in the unlikely case one is not.
    const aligned = buf.byteOffset % 8 === 0 ? buf : Uint8Array.from(buf)
    this.bytes = aligned
    this.f64 = new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8)
    this.count = buf.byteLength / this.recordBytes
  }

  /** The slot's value; null where it was not read. */
  value(record: number, slot: number): number | null {
    const v = this.f64[record * (this.recordBytes / 8) + slot] as number
    return v !== v ? null : v
  }

  /** Sets the slot, as the reader would have: for a value the caller knows from elsewhere. */
  set(record: number, slot: number, value: number): void {
    this.f64[record * (this.recordBytes / 8) + slot] = value
  }

  /** Sets string `which` of the record (ASCII, at most 16 bytes, NUL-padded). */
  setString(record: number, which: number, text: string): void {
    const start = record * this.recordBytes + this.slots * 8 + which * STRING_BYTES
    for (let k = 0; k < STRING_BYTES; k++) {
      const code = k < text.length ? text.charCodeAt(k) : 0
      if (code > 0x7e) throw new RangeError(`slot record strings are ASCII: ${JSON.stringify(text)}`)
      this.bytes[start + k] = code
    }
  }

  /** String `which` of the record; "" when empty or unread. */
  string(record: number, which: number): string {
    const start = record * this.recordBytes + this.slots * 8 + which * STRING_BYTES
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

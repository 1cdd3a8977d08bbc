// Typed-array views of one byte range, for reading host-order integers by index:
// much cheaper than DataView calls, in the interpreter and in optimized code alike.
// Native records are 8-byte aligned, so every field sits at its natural alignment.

export interface AlignedViews {
  u8: Uint8Array
  u16: Uint16Array
  u32: Uint32Array
  u64: BigUint64Array
}

/** Views of `bytes`, copied first when they do not start 8-byte aligned in their ArrayBuffer. */
export function alignedViews(bytes: Uint8Array): AlignedViews {
  const u8 = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice()
  const { buffer, byteOffset, byteLength } = u8
  return {
    u8,
    u16: new Uint16Array(buffer, byteOffset, byteLength >>> 1),
    u32: new Uint32Array(buffer, byteOffset, byteLength >>> 2),
    u64: new BigUint64Array(buffer, byteOffset, byteLength >>> 3),
  }
}

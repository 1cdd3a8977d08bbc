// C bitfields in kernel structs: GCC allocates the first-declared field at the least
// significant bits on little-endian targets and at the most significant bits on
// big-endian ones. The raw bytes keep the host's order, so read by host endianness.
import { HOST_LITTLE_ENDIAN } from '../../util/host.js'

/** Bits [start, start + width) of a `unitBits`-wide (≤ 32) storage unit, counted in declaration order. */
export function bitfield(unit: number, start: number, width: number, unitBits: number): number {
  const shift = HOST_LITTLE_ENDIAN ? start : unitBits - start - width
  return width >= 32 ? unit >>> 0 : (unit >>> shift) & ((1 << width) - 1)
}

// A socket cookie (a kernel u64) as the decimal string entries carry (NetlinkDetails.cookie).

/** The cookie whose low and high 32 bits are given. */
export function cookieText(low: number, high: number): string {
  // Exact as a double below 2^53 (every cookie a running host hands out in practice).
  if (high < 0x200000) return String(high * 0x1_0000_0000 + low)
  return ((BigInt(high) << 32n) | BigInt(low)).toString()
}

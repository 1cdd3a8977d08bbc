// A socket cookie (a kernel u64) as the decimal string entries carry (NetlinkDetails.cookie).

/** The cookie whose low and high 32 bits are given. */
export function cookieText(low: number, high: number): string {
  // Exact as a double below 2^53 (every cookie a running host hands out in practice).
  if (high < 0x200000) return String(high * 0x1_0000_0000 + low)
  return ((BigInt(high) << 32n) | BigInt(low)).toString()
}

/**
 * A cookie as a map key: the number itself below 2^53 (every cookie a running host
 * hands out in practice; no string made), else its decimal text.
 */
export type CookieKey = number | string

export function cookieKey(low: number, high: number): CookieKey {
  return high < 0x200000 ? high * 0x1_0000_0000 + low : cookieText(low, high)
}

/** The key of a cookie given as text (NetlinkDetails.cookie). */
export function cookieKeyOfText(text: string): CookieKey {
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : text
}

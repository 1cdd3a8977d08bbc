// The set the EntryDecoder keeps a dump's socket cookies in, to list each socket once
// however often the dump repeats it (docs/native.md, "Consistency under churn").

/**
 * A set of 64-bit socket cookies, each given as its low and high 32 bits: open
 * addressing with linear probing, kept at most half full. The low words live in one
 * Uint32Array (0: empty slot) and the high words, which are 0 on nearly every host
 * (cookies below 2^32), in a second array allocated only when one is not. No object
 * or heap number per cookie: adding one costs a hash and a probe or two over 4-byte
 * slots, and memory is 8 to 16 bytes a cookie (twice that with the second array).
 */
export class CookieSet {
  private lows = new Uint32Array(1024)
  private highs: Uint32Array | null = null
  private mask = 1023
  /** 32 - log2(slot count): the hash's top bits pick the slot. */
  private shift = 22
  private count = 0
  /** Cookies whose low word is 0 (the empty mark), by high word: one in 2^32. */
  private zeroLow: Set<number> | null = null

  get size(): number {
    return this.count + (this.zeroLow?.size ?? 0)
  }

  /** Adds the cookie; false when it was there already. */
  add(low: number, high: number): boolean {
    if (low === 0) {
      this.zeroLow ??= new Set()
      if (this.zeroLow.has(high)) return false
      this.zeroLow.add(high)
      return true
    }
    const lows = this.lows
    const mask = this.mask
    let i = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x9e3779b1) >>> this.shift
    for (;;) {
      const at = lows[i] as number
      if (at === 0) break
      if (at === low && (this.highs === null ? 0 : (this.highs[i] as number)) === high) return false
      i = (i + 1) & mask
    }
    lows[i] = low
    if (high !== 0) (this.highs ??= new Uint32Array(mask + 1))[i] = high
    if (++this.count > (mask + 1) >>> 1) this.grow()
    return true
  }

  private grow(): void {
    const lows = this.lows
    const highs = this.highs
    this.lows = new Uint32Array(lows.length * 2)
    this.highs = null
    this.mask = this.mask * 2 + 1
    this.shift--
    this.count = 0
    for (let j = 0; j < lows.length; j++) {
      const low = lows[j] as number
      if (low !== 0) this.add(low, highs === null ? 0 : (highs[j] as number))
    }
  }
}

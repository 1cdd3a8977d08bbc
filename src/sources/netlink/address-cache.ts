// Addresses repeat (0.0.0.0, ::, loopback, a few peers): format each once per listing.
// Keys are the address's 32-bit words, so a hit costs no string building for IPv4.
import { formatIPv4, formatIPv6 } from '../../address.js'
import type { AlignedViews } from './aligned-views.js'

/** Entries kept per family; bounded however many peers a host has. */
const LIMIT = 65536

export class AddressCache {
  private readonly v4 = new Map<number, string>()
  private readonly v6 = new Map<string, string>()

  /** The text of the 4- or 16-byte address at `offset` (a multiple of 4) of `views`. */
  format(views: AlignedViews, offset: number, family: 4 | 6): string {
    const words = views.u32
    const index = offset >>> 2
    if (family === 4) {
      const key = words[index] as number
      let text = this.v4.get(key)
      if (text === undefined) {
        if (this.v4.size >= LIMIT) this.v4.clear()
        text = formatIPv4(views.u8, offset)
        this.v4.set(key, text)
      }
      return text
    }
    const key = `${words[index]}:${words[index + 1]}:${words[index + 2]}:${words[index + 3]}`
    let text = this.v6.get(key)
    if (text === undefined) {
      if (this.v6.size >= LIMIT) this.v6.clear()
      text = formatIPv6(views.u8, offset)
      this.v6.set(key, text)
    }
    return text
  }
}

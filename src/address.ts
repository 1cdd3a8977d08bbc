// Address text in the kernel's own forms: %pI4 and %pI6c (lib/vsprintf.c), so text
// formatted here matches the kernel module's files byte for byte.

/** Dotted quad of 4 bytes in network order starting at `offset`. */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`
}

/**
 * IPv6 as the kernel's %pI6c prints it (RFC 5952): lowercase hex, no leading zeros,
 * the first longest run of two or more zero groups compressed to `::`, and the last
 * 32 bits as a dotted quad for IPv4-mapped (::ffff:a.b.c.d) and ISATAP addresses.
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const word = (i: number): number => ((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0)
  const isZero = (i: number): boolean => word(i) === 0
  const v4mapped = isZero(0) && isZero(1) && isZero(2) && isZero(3) && isZero(4) && word(5) === 0xffff
  const isatap = (word(4) | 0x0200) === 0x0200 && word(5) === 0x5efe
  const useIPv4 = v4mapped || isatap
  const words = useIPv4 ? 6 : 8

  let longest = 1
  let colonpos = -1
  for (let i = 0; i < words; i++) {
    let run = 0
    for (let j = i; j < words && isZero(j); j++) run++
    if (run > longest) {
      longest = run
      colonpos = i
    }
  }

  let out = ''
  let needColon = false
  for (let i = 0; i < words; i++) {
    if (i === colonpos) {
      out += '::'
      needColon = false
      i += longest - 1
      continue
    }
    if (needColon) out += ':'
    out += word(i).toString(16)
    needColon = true
  }
  if (useIPv4) {
    if (needColon) out += ':'
    out += formatIPv4(bytes, offset + 12)
  }
  return out
}

/** Parses a dotted quad with no leading zeros; null when `text` is not one. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null
    const value = Number(part)
    if (value > 255) return null
    out[i] = value
  }
  return out
}

/** Parses any valid IPv6 text form (with `::` and an optional trailing dotted quad); null otherwise. */
export function parseIPv6(text: string): Uint8Array | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null
  const halves = text.split('::')
  if (halves.length > 2) return null
  const groupsOf = (half: string): number[] | null => {
    if (half === '') return []
    const out: number[] = []
    const pieces = half.split(':')
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string
      if (piece.includes('.')) {
        // A dotted quad may only end the address.
        if (i !== pieces.length - 1) return null
        const v4 = parseIPv4(piece)
        if (v4 === null) return null
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number))
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(piece)) return null
        out.push(parseInt(piece, 16))
      }
    }
    return out
  }
  const head = groupsOf(halves[0] as string)
  const tail = halves.length === 2 ? groupsOf(halves[1] as string) : []
  if (head === null || tail === null) return null
  if (halves.length === 1 && head.length !== 8) return null
  if (halves.length === 2 && head.length + tail.length > 7) return null
  // The dotted quad must be the very last thing, not followed by `::`.
  if (halves.length === 2 && (halves[0] as string).includes('.')) return null
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  const out = new Uint8Array(16)
  words.forEach((w, i) => {
    out[2 * i] = w >> 8
    out[2 * i + 1] = w & 0xff
  })
  return out
}

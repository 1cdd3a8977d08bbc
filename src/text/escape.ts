// The one home for showing untrusted text (recorded files, option values, process
// names) in messages and on terminals. Whatever the input, the output holds no
// character that moves the cursor, rings, reorders the line (bidi) or hides itself,
// and it is at most maxLength UTF-16 units long: a hostile 100 MB line cannot spoof
// or flood a log.

/**
 * The characters untrusted text may not show raw, by kind, each as the items of a
 * regular-expression character class (for the 'u' flag). Together: every control (Cc),
 * format character (Cf), line and paragraph separator and lone surrogate.
 */
export const UNSAFE_CHARACTERS = {
  /** C0 controls, NUL to US (ESC among them). */
  c0: '\\x00-\\x1f',
  /** DEL and the C1 controls (U+009B is a CSI). */
  c1: '\\x7f-\\x9f',
  /** Format characters: bidi overrides and isolates, LRM/RLM/ALM, zero-width characters, BOM, tags. */
  format: '\\p{Cf}',
  /** Line and paragraph separators. */
  separators: '\\p{Zl}\\p{Zp}',
  /** Lone surrogates. */
  loneSurrogates: '\\p{Cs}',
} as const

export type UnsafeKind = keyof typeof UNSAFE_CHARACTERS

/** A regular expression matching one character of the given kinds (and of `extra`, class items too). */
export function unsafeCharacters(kinds: readonly UnsafeKind[], flags = 'u', extra = ''): RegExp {
  return new RegExp(`[${kinds.map((k) => UNSAFE_CHARACTERS[k]).join('')}${extra}]`, flags)
}

/** Every unsafe character, and the backslash itself, so that an escape in the output always means one in the input. */
const NEEDS_ESCAPE = unsafeCharacters(Object.keys(UNSAFE_CHARACTERS) as UnsafeKind[], 'u', '\\\\')
const NEEDS_ESCAPE_ALL = new RegExp(NEEDS_ESCAPE.source, 'gu')

export const ELLIPSIS = '…'

/**
 * `s` made safe to print: each character above written `\xNN` (code points up to
 * U+00FF) or `\u{NNNN}` (lower-case hex, the code point, not UTF-8 bytes; the
 * backslash is `\x5c`), everything else as is. Longer than `maxLength` UTF-16 units
 * (default: no limit), it is cut at a character boundary, never inside an escape
 * or a surrogate pair, and ends with `…` within the limit. Only as much of `s` is
 * read as the result needs, so clipping a huge string is cheap.
 */
export function escapeForDisplay(s: string, maxLength = Number.POSITIVE_INFINITY): string {
  if (typeof s !== 'string') throw new TypeError(`escapeForDisplay: s must be a string, got ${typeof s}`)
  if (!(maxLength >= 1) || (maxLength !== Number.POSITIVE_INFINITY && !Number.isSafeInteger(maxLength))) {
    throw new RangeError(`escapeForDisplay: maxLength must be a positive integer, got ${String(maxLength)}`)
  }
  // Short enough that the whole string may be read: one replace, then clip if the
  // escapes made it too long.
  if (s.length <= maxLength) {
    const escaped = s.replace(NEEDS_ESCAPE_ALL, (ch) => escapeCodePoint(ch.codePointAt(0) as number))
    if (escaped.length <= maxLength) return escaped
  }
  const pieces: string[] = []
  let length = 0
  for (const ch of s) {
    const piece = NEEDS_ESCAPE.test(ch) ? escapeCodePoint(ch.codePointAt(0) as number) : ch
    if (length + piece.length > maxLength) {
      // Does not fit: drop whole pieces until the ellipsis does.
      while (length + ELLIPSIS.length > maxLength) length -= (pieces.pop() as string).length
      return pieces.join('') + ELLIPSIS
    }
    pieces.push(piece)
    length += piece.length
  }
  return pieces.join('')
}

function escapeCodePoint(cp: number): string {
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`
}

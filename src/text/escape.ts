// One rule for showing untrusted text (process names, recorded values, paths) on a
// terminal: nothing in it may act on the terminal or reorder what is shown around it.

// C0, DEL and C1 controls; format characters (bidi overrides and isolates, zero-width
// ones); line and paragraph separators; lone surrogates; and the backslash itself, so
// that an escape in the output always means an escaped character.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\\\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu

function escapeOne(c: string): string {
  if (c === '\\') return '\\\\'
  const code = c.codePointAt(0) as number
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`
  // Format characters beyond the BMP (tags, musical controls) keep their whole code point.
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`
}

/**
 * `s` with every character that could control a terminal or reorder text escaped as
 * `\xHH`, `\uHHHH` or `\u{HHHHH}`, and `\` as `\\`. With `maxLength`, a longer result is cut
 * (never inside an escape or a surrogate pair) to at most that many characters,
 * the last of them `…`.
 */
export function escapeForDisplay(s: string, maxLength?: number): string {
  const escaped = String(s).replace(UNSAFE, escapeOne)
  if (maxLength === undefined || escaped.length <= maxLength) return escaped
  const keep = Math.max(0, Math.floor(maxLength) - 1)
  let cut = 0
  // Walk whole units (an escape, a code point) so none is split.
  for (const m of escaped.matchAll(/\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|u\{[0-9a-f]+\}|\\)|[\s\S]/gu)) {
    if (cut + m[0].length > keep) break
    cut += m[0].length
  }
  return `${escaped.slice(0, cut)}…`
}

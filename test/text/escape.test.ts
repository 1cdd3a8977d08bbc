// escapeForDisplay: untrusted text comes out printable, unambiguous and bounded.
import { test } from 'tap'
import fc from 'fast-check'
import { ELLIPSIS, escapeForDisplay } from '../../src/text/escape.js'
import { UNPRINTABLE } from '../helpers/hostile.js'

test('escapes controls, bidi and format characters, lone surrogates and backslash', async (t) => {
  const cases: [string, string][] = [
    ['\0', '\\x00'],
    ['\x1b[2J', '\\x1b[2J'],
    ['a\nb\rc\td', 'a\\x0ab\\x0dc\\x09d'],
    ['\x7f', '\\x7f'],
    ['\x80\x85\x9f', '\\x80\\x85\\x9f'],
    ['\u202a\u202b\u202c\u202d\u202e', '\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}'],
    ['\u2066\u2067\u2068\u2069', '\\u{2066}\\u{2067}\\u{2068}\\u{2069}'],
    ['\u200e\u200f\u061c', '\\u{200e}\\u{200f}\\u{61c}'],
    ['\u200b\ufeff\u00ad', '\\u{200b}\\u{feff}\\xad'],
    ['\u2028\u2029', '\\u{2028}\\u{2029}'],
    ['\ud800x\udfff', '\\u{d800}x\\u{dfff}'],
    ['C:\\x41', 'C:\\x5cx41'],
    ['\u{e0041}', '\\u{e0041}'],
  ]
  // Named by the expected text: raw U+2028 in a test name would break the TAP stream.
  for (const [input, expected] of cases) t.equal(escapeForDisplay(input), expected, expected)
})

test('leaves printable text alone, including non-ASCII letters and astral characters', async (t) => {
  for (const s of ['eth0', 'SO_BINDTODEVICE=eth0', 'ünïcødé', '日本語', 'emoji 😀', 'a "quoted" word']) {
    t.equal(escapeForDisplay(s), s)
  }
})

test('clips to maxLength with an ellipsis, never inside an escape or a surrogate pair', async (t) => {
  t.equal(escapeForDisplay('abcdef', 6), 'abcdef', 'exactly the limit: no ellipsis')
  t.equal(escapeForDisplay('abcdefg', 6), `abcde${ELLIPSIS}`)
  t.equal(escapeForDisplay('ab\0cd', 5), `ab${ELLIPSIS}`, 'the \\x00 escape is dropped whole')
  t.equal(escapeForDisplay('a😀b', 3), `a${ELLIPSIS}`, 'a pair that would leave no room for the ellipsis is dropped whole')
  t.equal(escapeForDisplay('😀😀', 3), `😀${ELLIPSIS}`)
  t.equal(escapeForDisplay('xyz', 1), ELLIPSIS)
  t.throws(() => escapeForDisplay('x', 0), RangeError)
  t.throws(() => escapeForDisplay('x', 2.5), RangeError)
  t.throws(() => escapeForDisplay('x', Number.NaN), RangeError)
  t.throws(() => escapeForDisplay(42 as unknown as string), TypeError)
})

test('a 100 MB string is clipped without being read whole', async (t) => {
  const huge = '\0'.repeat(100 * 1024 * 1024)
  const shown = escapeForDisplay(huge, 60)
  t.ok(shown.length <= 60)
  t.match(shown, /^(\\x00)+…$/)
})

test('property: output is safe, within the limit, and a prefix-faithful escape', async (t) => {
  const text = fc.string({ unit: fc.oneof(fc.constantFrom('\0', '\x1b', '\\', '\u202e', '\u0085', '\ud800', '\udc00'), fc.string({ unit: 'binary', maxLength: 1 })) })
  fc.assert(
    fc.property(text, fc.option(fc.integer({ min: 1, max: 80 }), { nil: undefined }), (s, max) => {
      const shown = escapeForDisplay(s, max)
      if (UNPRINTABLE.test(shown)) return false
      if (max !== undefined && shown.length > max) return false
      const whole = escapeForDisplay(s)
      // Unclipped: the escape of s; clipped: a prefix of it plus the ellipsis.
      return shown === whole || (shown.endsWith(ELLIPSIS) && whole.startsWith(shown.slice(0, -ELLIPSIS.length)))
    }),
    { numRuns: 2000 },
  )
  t.pass('2000 runs')
})

test('property: unescaping gives the input back (no two inputs display the same)', async (t) => {
  const unescape = (s: string): string =>
    s.replace(/\\x([0-9a-f]{2})|\\u\{([0-9a-f]+)\}/g, (_m, x?: string, u?: string) => String.fromCodePoint(parseInt((x ?? u) as string, 16)))
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => unescape(escapeForDisplay(s)) === s),
    { numRuns: 2000 },
  )
  t.pass('2000 runs')
})

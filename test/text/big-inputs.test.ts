// Big hostile inputs are rejected as KnetstatParseError: never RangeError (a string past
// V8's limit), never out of memory. Each must fail at its first error, so these run in
// moments; test/fuzz/big-inputs.mjs measures their time and memory. No timed assertion:
// a regression runs out of memory or hits the tap timeout.
import { test } from 'tap'
import { KnetstatParseError, listSockets, parseKnetstat } from '../../src/index.js'
import { MAX_LINE_LENGTH } from '../../src/text/limits.js'
import { TCP_HEADER } from '../helpers/knetstat-text.js'

const MB = 1024 * 1024
const TCP = `${TCP_HEADER}\n`
const VALID = '     0      0 127.0.0.1:22            127.0.0.1:5000          ESTB      SO_REUSEADDR=1\n'

function parseError(text: string): KnetstatParseError {
  try {
    parseKnetstat(text)
  } catch (e) {
    if (e instanceof KnetstatParseError) return e
    throw e
  }
  throw new Error('parsed')
}

test('100 MB of NUL: a missing header, quoted short and escaped', { timeout: 120_000 }, async (t) => {
  const error = parseError('\0'.repeat(100 * MB))
  t.equal(error.line, 1)
  t.match(error.message, /^line 1, column 1: missing header: found "(\\x00)+…"/)
  t.ok(error.message.length < 300)
})

test('a 50 MB single line after the header: too long, at the limit', { timeout: 120_000 }, async (t) => {
  const error = parseError(TCP + 'x'.repeat(50 * MB))
  t.equal(error.line, 2)
  t.equal(error.column, MAX_LINE_LENGTH + 1)
  t.match(error.message, /line longer than 16384 characters/)
})

test('a 220 MB header-only line (two-byte characters): missing header', { timeout: 120_000 }, async (t) => {
  // U+00E9 is one-byte in V8; '😀' makes a two-byte string, the costlier kind to scan.
  const error = parseError('😀'.repeat(55 * MB)) // 110 M code units, 220 MB
  t.equal(error.line, 1)
  t.match(error.message, /missing header: found "(😀)+…"/)
})

test('1M short bad lines: the first one fails', { timeout: 120_000 }, async (t) => {
  const error = parseError(TCP + 'x\n'.repeat(1_000_000))
  t.equal(error.line, 2)
  t.match(error.message, /wrong column count: 1 fields/)
})

// 200k rather than 1M keeps npm test light (big-inputs.mjs measures 1M: about 15 s).
test('200k valid lines then a bad one: parsed up to it, then rejected', { timeout: 300_000 }, async (t) => {
  const error = parseError(TCP + VALID.repeat(200_000) + '     0      0 127.0.0.1:22            127.0.0.1:5000          NOPE\n')
  t.equal(error.line, 200_002)
  t.match(error.message, /unknown state code "NOPE"/)
})

test('a 100 MB NUL text given to listSockets rejects with a KnetstatParseError naming the table', { timeout: 120_000 }, async (t) => {
  await t.rejects(listSockets({ procNet: { udp6stat: '\0'.repeat(100 * MB) } }), {
    name: 'KnetstatParseError',
    file: 'udp6stat',
    message: /^udp6stat: line 1, column 1: missing header/,
  })
})

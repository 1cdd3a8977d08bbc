// Property tests: random entries survive format -> parse -> format byte for byte, and
// random or mutated text never throws anything but KnetstatParseError. `npm test` runs
// each property KNETSTAT_FC_RUNS times (default 1000); test/fuzz/run.sh runs 100,000.
// Every counterexample found becomes an explicit example at the end of this file.
import fc from 'fast-check'
import { test } from 'tap'
import { formatIPv4, formatIPv6 } from '../../src/address.js'
import { formatKnetstat, KnetstatParseError, parseKnetstat, TCP_STATES, type Family, type Proto, type SocketEntry } from '../../src/index.js'
import { formatOptionValue, isKnownOption, OPTION_KINDS, optionKind } from '../../src/options.js'
import { MAX_LINE_LENGTH } from '../../src/text/limits.js'
import { TableParser } from '../../src/text/parse.js'
import { UNPRINTABLE } from '../helpers/hostile.js'
import { TCP_HEADER, textFixture, UDP_HEADER } from '../helpers/knetstat-text.js'

const RUNS = Number(process.env.KNETSTAT_FC_RUNS ?? 1000)

const ipv6Bytes = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  // Mostly-zero addresses exercise `::` compression; mapped ones the dotted tail.
  fc.array(fc.constantFrom(0, 0, 0, 1, 0xff), { minLength: 16, maxLength: 16 }).map((a) => Uint8Array.from(a)),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((v4) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4])),
)
const address = (family: Family): fc.Arbitrary<string> =>
  family === 4 ? fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIPv4(b)) : ipv6Bytes.map((b) => formatIPv6(b))

const flag = fc.constantFrom(true, false, null)
const count = fc.oneof(fc.nat(100), fc.nat(), fc.maxSafeNat())

const optionValue = (name: string): fc.Arbitrary<boolean | number | string> => {
  switch (optionKind(name)) {
    case 'bool':
      return fc.boolean()
    case 'string':
    case undefined:
      return fc.string({ unit: 'binary', maxLength: 12 })
    default:
      return count
  }
}
const knownNames = Object.keys(OPTION_KINDS)
const optionName = fc.oneof(fc.constantFrom(...knownNames), fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/))
/** Known names go in options, the others in otherOptions (as text), as parseKnetstat puts them. */
const optionFields = fc.option(
  fc.uniqueArray(optionName, { maxLength: 20 }).chain((names) =>
    fc.tuple(...names.map((n) => optionValue(n))).map((values) => {
      const pairs = names.map((n, i) => [n, values[i]] as const)
      const other = pairs.filter(([n]) => !isKnownOption(n))
      const fields: Pick<SocketEntry, 'options' | 'otherOptions'> = { options: Object.fromEntries(pairs.filter(([n]) => isKnownOption(n))) }
      if (other.length > 0) fields.otherOptions = Object.fromEntries(other) as Record<string, string>
      return fields
    }),
  ),
)

const entry = (proto: Proto, family: Family): fc.Arbitrary<SocketEntry> =>
  fc.record({
    proto: fc.constant(proto),
    family: fc.constant(family),
    state: fc.constantFrom(...TCP_STATES),
    recvQ: count,
    sendQ: count,
    local: fc.record({ address: address(family), port: fc.integer({ min: 0, max: 65535 }) }),
    remote: fc.record({ address: address(family), port: fc.integer({ min: 0, max: 65535 }) }),
    uid: fc.constant(null),
    inode: fc.constant(null),
    diag: fc.record({ sendWindowZero: flag, receiveWindowZero: flag, ackStalled: flag }),
    optionFields,
  }).map(({ optionFields, ...rest }): SocketEntry => ({ ...rest, ...(optionFields ?? { options: null }), optionsSource: null }))

const table = fc
  .tuple(fc.constantFrom<Proto>('tcp', 'udp'), fc.constantFrom<Family>(4, 6))
  .chain(([proto, family]) => fc.tuple(fc.constant(proto), fc.array(entry(proto, family), { maxLength: 8 })))

test('random entries survive format -> parse -> format byte for byte', async (t) => {
  fc.assert(
    fc.property(table, ([proto, entries]) => {
      const text = formatKnetstat(entries, { proto })
      return formatKnetstat(parseKnetstat(text)) === text
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} random tables`)
})

test('parsing what was formatted gives back the fields the text carries', async (t) => {
  fc.assert(
    fc.property(table, ([proto, entries]) => {
      const parsed = parseKnetstat(formatKnetstat(entries, { proto }))
      return parsed.every((p, i) => {
        const e = entries[i] as SocketEntry
        return (
          p.recvQ === e.recvQ &&
          p.sendQ === e.sendQ &&
          p.local.address === e.local.address &&
          p.local.port === e.local.port &&
          p.remote.address === e.remote.address &&
          p.remote.port === e.remote.port
        )
      })
    }),
    { numRuns: RUNS },
  )
  t.pass()
})

const fixtures = ['tcpstat', 'tcp6stat', 'udpstat', 'udp6stat', 'tcpstat.old-module'].map(textFixture)

/** Parses, and says whether it failed the only allowed way; valid text must format stably. */
function parsesOrRejectsCleanly(text: string): boolean {
  let parsed
  try {
    parsed = parseKnetstat(text)
  } catch (e) {
    return e instanceof KnetstatParseError && e.line >= 1 && e.column >= 1
  }
  const once = formatKnetstat(parsed)
  return formatKnetstat(parseKnetstat(once)) === once
}

test('random text never throws anything but KnetstatParseError', async (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), parsesOrRejectsCleanly), { numRuns: RUNS })
  t.pass()
})

test('mutated fixtures never throw anything but KnetstatParseError', async (t) => {
  const alphabet = fc.constantFrom(' ', ':', '.', ',', '=', '*', '\n', '\r', '>', '|', '<', '#', '0', '9', 'f', 'S', '_', 'ms', 's', '\\x2c', '\u00e9')
  const mutation = fc.record({
    fixture: fc.nat(fixtures.length - 1),
    at: fc.nat(),
    remove: fc.nat(4),
    insert: fc.array(alphabet, { maxLength: 3 }).map((a) => a.join('')),
  })
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
      let text = fixtures[mutations[0]?.fixture ?? 0] as string
      for (const m of mutations) {
        const at = m.at % (text.length + 1)
        text = text.slice(0, at) + m.insert + text.slice(at + m.remove)
      }
      return parsesOrRejectsCleanly(text)
    }),
    { numRuns: RUNS },
  )
  t.pass()
})

// Structured hostile input: valid tables with one token replaced by something
// hostile, lines around and far past MAX_LINE_LENGTH, many columns, long option lists,
// NULs and unicode. These are bigger, so they run a tenth as often.
const HEAVY_RUNS = Math.max(50, Math.floor(RUNS / 10))

/** A bad parse must be a KnetstatParseError whose message is short and printable. */
function rejectsCleanly(text: string, hint = {}): KnetstatParseError | null {
  try {
    parseKnetstat(text, hint)
    return null
  } catch (e) {
    if (!(e instanceof KnetstatParseError)) throw e
    if (e.line < 1 || e.column < 1 || e.column > MAX_LINE_LENGTH + 1) throw new Error(`bad position ${e.line}:${e.column}`)
    if (UNPRINTABLE.test(e.message)) throw new Error(`raw control or format character in ${JSON.stringify(e.message.slice(0, 200))}`)
    if (e.message.length > 600) throw new Error(`message of ${e.message.length} characters`)
    return e
  }
}

const hostileUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('\0', '\x1b', '\x7f', '\x85', '\u202e', '\u2066', '\u200f', '\ufeff', '\ud800', '\udfff', '\u2028', '😀', 'é', '日', ',', '=', ':', '\\', '\t', '\r', ' ') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('0', '9', 'A', 'Z', '_', '.', '*', 'x') },
)
/** Tokens from short to far past a line's limit, by repetition (cheap to make big). */
const hostileToken = fc.oneof(
  fc.string({ unit: hostileUnit, minLength: 1, maxLength: 40 }),
  // Option lists with long names: twice, out of order, with a bad value.
  fc
    .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('=1,SO_REUSEADDR=1', '=1,TCP_NODELAY=1', '=x,SO_LINGER=9ms'))
    .map(([n, tail]) => `${'A'.repeat(n)}${tail},${'A'.repeat(n)}=2`),
  fc.tuple(fc.string({ unit: hostileUnit, minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3 * MAX_LINE_LENGTH })).map(([s, n]) => s.repeat(Math.ceil(n / s.length))),
)

test('a valid table with one token replaced by a hostile one is parsed or cleanly rejected', async (t) => {
  fc.assert(
    fc.property(table, fc.nat(), fc.nat(), hostileToken, ([proto, entries], lineAt, tokenAt, token) => {
      const lines = formatKnetstat(entries, { proto }).split('\n')
      const i = lines.length > 2 ? 1 + (lineAt % (lines.length - 2)) : 0
      const tokens = (lines[i] as string).split(/( +)/)
      const j = 2 * (tokenAt % Math.ceil(tokens.length / 2))
      tokens[j] = token
      lines[i] = tokens.join('')
      const text = lines.join('\n')
      const error = rejectsCleanly(text)
      // Accepted: then it is knetstat text and formats back stably.
      return error !== null || parsesOrRejectsCleanly(text)
    }),
    { numRuns: HEAVY_RUNS },
  )
  t.pass(`${HEAVY_RUNS} mutated tables`)
})

test('lines around and past MAX_LINE_LENGTH: the limit, not the content, decides', async (t) => {
  const head = `${TCP_HEADER}\n`
  const start = '     0      0 127.0.0.1:22            127.0.0.1:5000          ESTB      TCP_CONGESTION='
  fc.assert(
    fc.property(fc.integer({ min: -20, max: 20 }), fc.constantFrom('a', '\0', '😀'), fc.boolean(), (delta, unit, lf) => {
      const length = MAX_LINE_LENGTH + delta
      const line = (start + unit.repeat(length)).slice(0, length)
      const error = rejectsCleanly(head + line + (lf ? '\n' : ''))
      if (length > MAX_LINE_LENGTH) return error !== null && error.line === 2 && error.column === MAX_LINE_LENGTH + 1 && /line longer than/.test(error.message)
      // Within the limit: accepted when the value is valid text, else rejected for the value.
      return unit === 'a' ? error === null : error !== null && error.column <= MAX_LINE_LENGTH
    }),
    { numRuns: HEAVY_RUNS },
  )
  t.pass()
})

test('extra columns are counted exactly, however many', async (t) => {
  const head = `${UDP_HEADER}\n`
  const line = '     0      0 127.0.0.1:53            0.0.0.0:*               SO_REUSEADDR=1'
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 7000 }), fc.constantFrom(' x', '  \0', ' 😀'), (extra, token) => {
      const text = head + line + token.repeat(extra) + '\n'
      const error = rejectsCleanly(text)
      if (text.length - head.length > MAX_LINE_LENGTH + 1) return error !== null && /line longer than/.test(error.message)
      return error !== null && error.message.includes(`wrong column count: ${5 + extra} fields`)
    }),
    { numRuns: HEAVY_RUNS },
  )
  t.pass()
})

test('long option lists parse when within the limit and round-trip', async (t) => {
  const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/)
  const longOptions = fc.uniqueArray(name.filter((n) => !isKnownOption(n)), { minLength: 50, maxLength: 1500 }).chain((names) =>
    fc.tuple(...names.map(() => fc.string({ unit: hostileUnit, maxLength: 6 }))).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]]))),
  )
  fc.assert(
    fc.property(longOptions, (options) => {
      const head = `${UDP_HEADER}\n`
      const pairs = Object.entries(options).map(([k, v]) => `${k}=${formatOptionValue(k, v as string)}`).join(',')
      const text = `${head}     0      0 127.0.0.1:53            0.0.0.0:*               ${pairs}\n`
      const error = rejectsCleanly(text)
      if (text.length - head.length - 1 > MAX_LINE_LENGTH) return error !== null && /line longer than/.test(error.message)
      return error === null && formatKnetstat(parseKnetstat(text)) === text
    }),
    { numRuns: HEAVY_RUNS },
  )
  t.pass()
})

test('parsing in chunks, split anywhere, gives what parsing whole gives', async (t) => {
  const texts = fc.oneof(
    table.map(([proto, entries]) => formatKnetstat(entries, { proto })),
    fc.string({ unit: hostileUnit, maxLength: 300 }),
    fc.tuple(fc.nat(fixtures.length - 1), fc.nat(), hostileToken).map(([f, at, token]) => {
      const text = fixtures[f] as string
      const i = at % (text.length + 1)
      return text.slice(0, i) + token + text.slice(i)
    }),
  )
  fc.assert(
    fc.property(texts, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
      const whole = outcome(() => parseKnetstat(text))
      const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
      const chunked = outcome(() => {
        const parser = new TableParser()
        let from = 0
        for (const cut of [...at, text.length]) {
          parser.write(text.slice(from, cut))
          from = cut
        }
        return parser.end()
      })
      return whole === chunked
    }),
    { numRuns: HEAVY_RUNS },
  )
  t.pass()
})

/** The result of a parse as a comparable string: the text it formats to, or the error. */
function outcome(parse: () => SocketEntry[]): string {
  try {
    return `ok ${formatKnetstat(parse())}`
  } catch (e) {
    if (!(e instanceof KnetstatParseError)) throw e
    return `error ${e.message}`
  }
}

// Counterexamples the properties found, shrunk, kept so they are checked on every run.
const counterexamples: { found: string; entry: SocketEntry; todo?: string }[] = [
  {
    // 100k runs of 'parsing what was formatted gives back the fields the text carries'
    // (seed 2083835957): an option text starting with U+FEFF is written as
    // \xef\xbb\xbf, and parsing it back fails: unescapeString's TextDecoder drops a
    // leading byte order mark unless it is made with ignoreBOM: true.
    found: 'an option value starting with U+FEFF',
    entry: {
      proto: 'tcp',
      family: 6,
      state: 'ESTABLISHED',
      recvQ: 0,
      sendQ: 0,
      local: { address: '::ffff:0.0.0.0', port: 0 },
      remote: { address: '::ffff:0.0.0.0', port: 0 },
      uid: null,
      inode: null,
      diag: { sendWindowZero: true, receiveWindowZero: true, ackStalled: true },
      options: { TCP_USER_TIMEOUT: 0, IP_TRANSPARENT: false, SO_LINGER: 0 },
      otherOptions: { U35YQ: '', P_5: '', F_9: '\uFEFF' },
      optionsSource: null,
    },
  },
]

// A `todo` example still runs, its failures reported as TODO until the fix lands.
for (const { found, entry, todo } of counterexamples) {
  test(`counterexample: ${found}`, async (t) => {
    const extra = todo === undefined ? {} : { todo }
    const text = formatKnetstat([entry], { proto: entry.proto })
    let parsed: SocketEntry[] = []
    t.doesNotThrow(() => {
      parsed = parseKnetstat(text)
    }, 'parses what formatKnetstat wrote', extra)
    t.same(parsed[0]?.options, entry.options, 'gives back the options', extra)
    t.same(parsed[0]?.otherOptions, entry.otherOptions, 'and the options this version does not know', extra)
    t.equal(parsed.length === 1 ? formatKnetstat(parsed) : '', text, 'formats back byte for byte', extra)
  })
}

// Property tests: random entries survive format -> parse -> format byte for byte, and
// random or mutated text never throws anything but KnetstatParseError. `npm test` runs
// each property KNETSTAT_FC_RUNS times (default 1000); test/fuzz/run.sh runs 100,000.
// Every counterexample found becomes an explicit example at the end of this file.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { test } from 'tap'
import { formatIPv4, formatIPv6 } from '../../src/address.js'
import { formatKnetstat, KnetstatParseError, parseKnetstat, TCP_STATES, type Family, type Proto, type SocketEntry } from '../../src/index.js'
import { OPTION_KINDS } from '../../src/options.js'

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
  switch (OPTION_KINDS[name]) {
    case 'bool':
      return fc.boolean()
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 12 })
    case undefined:
      return fc.string({ unit: 'binary', maxLength: 12 })
    default:
      return count
  }
}
const knownNames = Object.keys(OPTION_KINDS)
const optionName = fc.oneof(fc.constantFrom(...knownNames), fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/))
const options = fc.option(
  fc.uniqueArray(optionName, { maxLength: 20 }).chain((names) =>
    fc.tuple(...names.map((n) => optionValue(n))).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]]))),
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
    options,
    optionsSource: fc.constant(null),
  })

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

const fixtures = ['tcpstat', 'tcp6stat', 'udpstat', 'udp6stat', 'tcpstat.old-module'].map((name) =>
  readFileSync(new URL(`../fixtures/text/${name}`, import.meta.url), 'utf8'),
)

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
      options: { TCP_USER_TIMEOUT: 0, U35YQ: '', IP_TRANSPARENT: false, P_5: '', F_9: '\uFEFF', SO_LINGER: 0 },
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
    t.equal(parsed.length === 1 ? formatKnetstat(parsed) : '', text, 'formats back byte for byte', extra)
  })
}

// Every TcpInfo field says its unit in its JSDoc (the kernel's units, unconverted),
// and docs/native.md's table of units agrees with the JSDoc.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/native/load.js'
import { alignedViews } from '../../src/sources/netlink/aligned-views.js'
import { TCP_INFO_KNOWN_SIZE, readTcpInfo } from '../../src/sources/netlink/tcp-info.js'

/** The units, as the JSDoc spells them; the first that matches a comment wins. */
const UNITS: [string, RegExp][] = [
  ['bytes per second', /\bin bytes per second\b/],
  ['bytes', /\bin bytes\b/],
  ['µs', /\bin µs\b/],
  ['ms', /\bin ms\b/],
  ['segments', /\(segments\b|\bin segments\b/],
  ['packets', /\(packets\)/],
  ['count', /\(count\)/],
  ['shift (bits)', /a shift count \(bits\)/],
  ['no unit (an enum or bits)', /\bno unit\b/],
]

/** Each field of `interface TcpInfo` with the unit its JSDoc states ('boolean' for flags). */
function fieldUnits(): Map<string, string | undefined> {
  const source = readFileSync(join(PACKAGE_ROOT, 'src/sources/netlink/tcp-info.ts'), 'utf8')
  const body = /export interface TcpInfo \{\n([\s\S]*?)\n\}/.exec(source)?.[1] ?? ''
  const units = new Map<string, string | undefined>()
  for (const m of body.matchAll(/(?:\/\*\* (.*?) \*\/\n)?\s*(\w+): (\w+)/g)) {
    const [, doc = '', field = '', type] = m
    units.set(field, type === 'boolean' ? 'boolean' : UNITS.find(([, re]) => re.test(doc))?.[0])
  }
  return units
}

/** docs/native.md's table "unit | TcpInfo fields", as field → unit. */
function documentedUnits(): Map<string, string> {
  const doc = readFileSync(join(PACKAGE_ROOT, 'docs/native.md'), 'utf8')
  const table = /\| unit \| `TcpInfo` fields \|\n\|---\|---\|\n((?:\|.*\|\n)+)/.exec(doc)?.[1] ?? ''
  const units = new Map<string, string>()
  for (const row of table.trim().split('\n')) {
    const [, unit = '', fields = ''] = row.split('|').map((cell) => cell.trim())
    for (const field of fields.matchAll(/`(\w+)`/g)) units.set(field[1] as string, unit)
  }
  return units
}

t.test('every TcpInfo field states its unit', async (t) => {
  const units = fieldUnits()
  const decoded = readTcpInfo(alignedViews(new Uint8Array(TCP_INFO_KNOWN_SIZE)), 0, TCP_INFO_KNOWN_SIZE)
  t.same([...units.keys()], Object.keys(decoded), 'the fields read are the fields decoded')
  t.same([...units].filter(([, unit]) => unit === undefined).map(([field]) => field), [], 'fields whose JSDoc names no unit')
})

t.test("docs/native.md lists each field under its JSDoc's unit", async (t) => {
  t.same(Object.fromEntries(documentedUnits()), Object.fromEntries(fieldUnits()))
})

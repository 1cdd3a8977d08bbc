// The INET_DIAG_REQ_BYTECODE builder: exact bytes for a few queries (little-endian
// host), the address parser, and the userspace re-check of address prefixes.
import t from 'tap'
import { compileFilter } from '../../src/sources/netlink/index.js'
import { NO_CONDITIONS, parseAddressPrefix, prefixMatches, type SocketFilter } from '../../src/filter.js'

const none: SocketFilter = NO_CONDITIONS
const hex = (bytes: Uint8Array | null | 'none'): string | null | 'none' =>
  bytes === null || bytes === 'none' ? bytes : Buffer.from(bytes).toString('hex').replace(/(.{8})/g, '$1 ').trim()
const prefix = (text: string) => {
  const p = parseAddressPrefix(text)
  if (p === null) throw new Error(`not an address: ${text}`)
  return p
}
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

t.test('no condition: no program', async (t) => {
  t.equal(compileFilter(none, 4), null)
  t.equal(compileFilter({ ...none, localPorts: [{ from: 0, to: 65535 }] }, 4), null, 'the whole port range is no condition')
  t.equal(compileFilter({ ...none, localAddresses: [prefix('0.0.0.0/0')] }, 4), null, 'an IPv4 /0 on the IPv4 table')
})

t.test('exact bytes', { skip: littleEndian ? false : 'expected bytes are little-endian' }, async (t) => {
  // S_EQ, yes 8, no 12 (= length + 4: reject); then the port in the second op's `no`.
  t.equal(hex(compileFilter({ ...none, localPorts: [{ from: 80, to: 80 }] }, 4)), '0b080c00 00005000')
  // S_GE 1000 (no 20: reject), S_LE 2000 (no 12: reject).
  t.equal(hex(compileFilter({ ...none, localPorts: [{ from: 1000, to: 2000 }] }, 4)), '02081400 0000e803 03080c00 0000d007')
  // Only one bound where the other is the range's end.
  t.equal(hex(compileFilter({ ...none, remotePorts: [{ from: 1024, to: 65535 }] }, 6)), '04080c00 00000004')
  // local 443 || remote 443: S_EQ (fail: to D_EQ at 12), JMP (always: to the end, 20), D_EQ (fail: reject).
  t.equal(hex(compileFilter({ ...none, ports: [{ from: 443, to: 443 }] }, 4)), '0b080c00 0000bb01 01040c00 0c080c00 0000bb01')
  // S_COND, yes 16, no 20; hostcond { AF_INET, /8, port -1 }, 10.0.0.0.
  t.equal(hex(compileFilter({ ...none, localAddresses: [prefix('10.1.2.3/8')] }, 4)), '07101400 02080000 ffffffff 0a000000')
  // D_COND on IPv6 ::1/128.
  t.equal(
    hex(compileFilter({ ...none, remoteAddresses: [prefix('::1')] }, 6)),
    '081c2000 0a800000 ffffffff 00000000 00000000 00000000 00000001',
  )
  // Port and address groups are ANDed: both fail to the same reject (length 24 + 4).
  t.equal(
    hex(compileFilter({ ...none, localPorts: [{ from: 22, to: 22 }], localAddresses: [prefix('127.0.0.1')] }, 4)),
    '0b081c00 00001600 07101400 02200000 ffffffff 7f000001',
  )
  // Two alternatives of one field: 80 || 8080.
  t.equal(hex(compileFilter({ ...none, localPorts: [{ from: 80, to: 80 }, { from: 8080, to: 8080 }] }, 4)), '0b080c00 00005000 01040c00 0b080c00 0000901f')
})

t.test('address conditions the table cannot meet skip it', async (t) => {
  t.equal(compileFilter({ ...none, localAddresses: [prefix('fd00::/8')] }, 4), 'none', 'IPv6 on the IPv4 table')
  t.not(compileFilter({ ...none, localAddresses: [prefix('10.0.0.0/8')] }, 6), 'none', 'IPv4 on the IPv6 table: v4-mapped')
  t.equal(compileFilter({ ...none, addresses: [prefix('::1')] }, 4), 'none')
})

t.test('every jump lands on an op or on the accept/reject ends (the kernel audit)', async (t) => {
  const filter: SocketFilter = {
    localPorts: [{ from: 1, to: 10 }, { from: 20, to: 20 }, { from: 30, to: 65535 }],
    remotePorts: [{ from: 0, to: 100 }],
    ports: [{ from: 5, to: 6 }],
    localAddresses: [prefix('10.0.0.0/8'), prefix('::ffff:1.2.3.4')],
    remoteAddresses: null,
    addresses: [prefix('127.0.0.1'), prefix('::1')],
  }
  const program = compileFilter(filter, 6)
  if (program === null || program === 'none') throw new Error('expected a program')
  const starts = new Set<number>()
  for (let at = 0; at < program.length; at += program[at + 1] as number) starts.add(at)
  for (const at of starts) {
    const yes = program[at + 1] as number
    const no = (program[at + 2] as number) | ((program[at + 3] as number) << 8)
    t.ok(yes >= 4 && yes % 4 === 0 && (starts.has(at + yes) || at + yes === program.length), `yes of op at ${at}`)
    t.ok(no % 4 === 0 && (starts.has(at + no) || at + no === program.length || at + no === program.length + 4), `no of op at ${at}`)
  }
})

t.test('parseAddressPrefix', async (t) => {
  t.same(prefix('192.168.1.7/24'), { family: 4, bytes: new Uint8Array([192, 168, 1, 0]), prefixLength: 24 })
  t.same(prefix('fe80::1/10').bytes, new Uint8Array([0xfe, 0x80, ...new Array(14).fill(0)]))
  t.equal(prefix('::1').prefixLength, 128)
  for (const bad of ['', '1.2.3', '1.2.3.4/33', '::1/129', 'localhost', '1.2.3.4/', '1.2.3.4/08', '01.2.3.4']) {
    t.equal(parseAddressPrefix(bad), null, bad)
  }
})

t.test('prefixMatches follows the kernel, v4-mapped included', async (t) => {
  const v4 = new Uint8Array([10, 1, 2, 3])
  const mapped = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3])
  t.ok(prefixMatches(prefix('10.0.0.0/8'), 4, v4, 0))
  t.notOk(prefixMatches(prefix('10.0.0.0/16'), 4, v4, 0))
  t.ok(prefixMatches(prefix('10.1.2.0/23'), 4, v4, 0))
  t.ok(prefixMatches(prefix('10.0.0.0/8'), 6, mapped, 0))
  t.notOk(prefixMatches(prefix('::/0'), 4, v4, 0), 'an IPv6 condition never matches an IPv4 socket')
  t.ok(prefixMatches(prefix('::ffff:0:0/96'), 6, mapped, 0))
})

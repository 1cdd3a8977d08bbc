// Kernel-side filters against the real kernel: the dump with the query's bytecode
// (no userspace re-check) and listSockets return exactly the sockets that match,
// for ports (exact, ranges, lists, either side), addresses and prefixes (IPv4, IPv6,
// IPv4-mapped IPv6) and the state mask.
import t from 'tap'
import { listSockets, type ListQuery, type SocketEntry } from '../../src/index.js'
import { normalizeQuery } from '../../src/query.js'
import { dumpRequests } from '../../src/sources/netlink/index.js'
import { decodeEntries, readDump } from '../native/fixtures/dump.js'
import { openSockets } from './sockets.js'

const set = await openSockets(3)
t.teardown(() => set.close())

interface Row {
  state: string
  family: 4 | 6
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
}
const fromEntry = (e: SocketEntry): Row => ({
  state: e.state,
  family: e.family,
  localAddress: e.local.address,
  localPort: e.local.port,
  remoteAddress: e.remote.address,
  remotePort: e.remote.port,
})
const key = (r: Row) => `${r.state} ${r.localAddress}:${r.localPort} ${r.remoteAddress}:${r.remotePort}`
const loopback = (a: string) => a.startsWith('127.') || a.startsWith('::ffff:127.') || a === '::1' || a === '0.0.0.0' || a === '::'
const isMine = (r: Row) =>
  r.state !== 'TIME_WAIT' && loopback(r.localAddress) && (set.ports.has(r.localPort) || set.ports.has(r.remotePort))

/** An IPv4 address of a socket, v4-mapped IPv6 included; null for other IPv6. */
const v4of = (address: string): string | null =>
  !address.includes(':') ? address : address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : null
const inV4 = (network: string, bits: number) => (address: string) => {
  const a = v4of(address)
  if (a === null) return false
  const n = (s: string) => s.split('.').reduce((x, p) => x * 256 + Number(p), 0)
  const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits)
  return Math.floor(n(a) / 2 ** (32 - bits || 32)) === Math.floor(n(network) / 2 ** (32 - bits || 32)) || mask === 0
}

const all = (await listSockets({ proto: 'tcp', options: false, tcpInfo: false })).map(fromEntry).filter(isMine)
t.ok(all.length >= 4 + 4 * 3 * 2, `the set is listed (${all.length} sockets)`)

const [l1, l2, l3, l4] = set.listeners as [typeof set.listeners[0], typeof set.listeners[0], typeof set.listeners[0], typeof set.listeners[0]]
const clientsOf = (port: number) => set.pairs.filter((p) => p.listenPort === port).map((p) => p.client.port)
const range = (ports: number[]) => ({ from: Math.min(...ports), to: Math.max(...ports) })
const r1 = range(clientsOf(l1.port))
const r2 = range(clientsOf(l2.port))

const cases: [string, ListQuery, (r: Row) => boolean][] = [
  ['localPort exact', { localPort: l1.port }, (r) => r.localPort === l1.port],
  ['remotePort exact', { remotePort: l1.port }, (r) => r.remotePort === l1.port],
  ['port, either side', { port: l3.port }, (r) => r.localPort === l3.port || r.remotePort === l3.port],
  ['localPort range', { localPort: r2 }, (r) => r.localPort >= r2.from && r.localPort <= r2.to],
  ['localPort open-ended range', { localPort: { from: r2.from, to: 65535 } }, (r) => r.localPort >= r2.from],
  ['remotePort range', { remotePort: r2 }, (r) => r.remotePort >= r2.from && r.remotePort <= r2.to],
  ['localPort list', { localPort: [l2.port, l4.port] }, (r) => r.localPort === l2.port || r.localPort === l4.port],
  ['localPort and remotePort', { localPort: l1.port, remotePort: r1 }, (r) => r.localPort === l1.port && r.remotePort >= r1.from && r.remotePort <= r1.to],
  ['localAddress IPv4', { localAddress: '127.0.0.2' }, (r) => v4of(r.localAddress) === '127.0.0.2'],
  ['localAddress prefix /30', { localAddress: '127.0.0.0/30' }, (r) => inV4('127.0.0.0', 30)(r.localAddress)],
  ['localAddress IPv4 matches v4-mapped', { localAddress: '127.0.0.3' }, (r) => v4of(r.localAddress) === '127.0.0.3'],
  ['localAddress v4-mapped IPv6 literal', { localAddress: '::ffff:127.0.0.3' }, (r) => r.family === 6 && r.localAddress === '::ffff:127.0.0.3'],
  ['localAddress IPv6', { localAddress: '::1' }, (r) => r.localAddress === '::1'],
  ['remoteAddress IPv4', { remoteAddress: '127.0.0.3' }, (r) => v4of(r.remoteAddress) === '127.0.0.3'],
  ['address, either side', { address: '::1' }, (r) => r.localAddress === '::1' || r.remoteAddress === '::1'],
  ['address list of both families', { localAddress: ['::1', '127.0.0.2'] }, (r) => r.localAddress === '::1' || v4of(r.localAddress) === '127.0.0.2'],
  ['IPv6 /0 only on the IPv6 table', { localAddress: '::/0' }, (r) => r.family === 6],
  ['state LISTEN and a port list', { state: 'LISTEN', localPort: [l1.port, l3.port] }, (r) => r.state === 'LISTEN' && (r.localPort === l1.port || r.localPort === l3.port)],
  ['state ESTABLISHED and an address', { state: 'ESTABLISHED', localAddress: '127.0.0.1' }, (r) => r.state === 'ESTABLISHED' && v4of(r.localAddress) === '127.0.0.1'],
  ['family 6 and a v4 prefix', { family: 6, localAddress: '127.0.0.0/8' }, (r) => r.family === 6 && inV4('127.0.0.0', 8)(r.localAddress)],
]

for (const [name, query, match] of cases) {
  t.test(name, async (t) => {
    const q = { proto: 'tcp' as const, options: false as const, tcpInfo: false, ...query }
    const expected = all.filter(match).map(key).sort()
    t.ok(expected.length > 0, `the case selects some of the set (${expected.length})`)

    // The kernel alone: the dump of the query's requests, decoded with no re-check
    // (every state, no port or address condition).
    const requests = dumpRequests(normalizeQuery(q))
    const raw = decodeEntries((await readDump(requests)).records, false).map(fromEntry)
    t.same(raw.filter((r) => !match(r)).map(key), [], 'the kernel returned only matching sockets')
    t.same(raw.filter(isMine).map(key).sort(), expected, 'the kernel returned every matching socket of the set')

    const listed = (await listSockets(q)).map(fromEntry)
    t.same(listed.filter((r) => !match(r)).map(key), [], 'listSockets returned only matching sockets')
    t.same(listed.filter(isMine).map(key).sort(), expected, 'listSockets returned every matching socket of the set')
  })
}

t.test('TCP of both families is one dump, in one walk of the kernel tables', async (t) => {
  const requests = dumpRequests(normalizeQuery({ proto: 'tcp' }))
  t.equal(requests.length, 1)
  t.equal(requests[0]?.family, 0)
  t.same(dumpRequests(normalizeQuery({ proto: 'udp' })).map((r) => r.family), [2, 10], 'UDP: one per family')
  t.same(dumpRequests(normalizeQuery({ proto: 'tcp', family: 6 })).map((r) => r.family), [10])
  const entries = await listSockets({ options: false, tcpInfo: false })
  const order = entries.map((e) => `${e.proto}${e.family}`).filter((k, i, a) => i === 0 || a[i - 1] !== k)
  t.same(order, ['tcp4', 'tcp6', 'udp4', 'udp6'].filter((k) => order.includes(k)), 'listed tcp4, tcp6, udp4, udp6')
})

t.test('a filter no table can meet dumps nothing', async (t) => {
  t.same(dumpRequests(normalizeQuery({ family: 4, localAddress: '::1' })), [])
  t.same(await listSockets({ family: 4, localAddress: '::1', options: false }), [])
})

t.test('bad address queries are TypeErrors that name the field', async (t) => {
  t.throws(() => normalizeQuery({ localAddress: 'localhost' }), { name: 'TypeError', message: /localAddress "localhost" is not an address/ })
  t.throws(() => normalizeQuery({ address: [] }), { name: 'TypeError', message: /address is an empty list/ })
  t.throws(() => normalizeQuery({ remoteAddress: '10.0.0.0/40' }), TypeError)
})

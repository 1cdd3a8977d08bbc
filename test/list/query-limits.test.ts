// Port and address lists the kernel filter cannot carry: the kernel's inet_diag
// bytecode travels in one netlink attribute (u16 length with its 4-byte header, ops
// of 4-byte multiples), so a program is at most 65528 bytes. A query is refused up
// front with a TypeError naming the largest list, never late in the netlink layer;
// at exactly the bound, the real kernel takes the program and filters by it.
import { createServer, type Server } from 'node:net'
import t from 'tap'
import { listSockets } from '../../src/index.js'
import { MAX_BYTECODE } from '../../src/sources/netlink/index.js'
import { holdHostile } from '../helpers/hostile.js'

// A real process holding a real listener with TCP_NODELAY set (root: options readable).
const holder = await holdHostile(Buffer.from('query-limits'), 0)
const port = holder.info.port
// A listener on a port of the other parity: never in the lists below.
const servers: Server[] = []
let other = 0
while (other === 0) {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  const p = (server.address() as { port: number }).port
  if (p % 2 !== port % 2) other = p
}
t.teardown(async () => {
  for (const s of servers) s.close()
  await holder.close()
})

/** `n` ports of the holder's parity (no two adjacent, so none merge), the holder's among them. */
function sameParity(n: number): number[] {
  const out = [port]
  for (let d = 2; out.length < n; d += 2) {
    if (port + d <= 65535) out.push(port + d)
    if (out.length < n && port - d >= 0) out.push(port - d)
  }
  return out
}

t.test('the bound is the netlink attribute: 65535 - 4, rounded down to whole ops', async (t) => {
  t.equal(MAX_BYTECODE, 65528)
})

t.test('localPort: 5461 single ports (12 × 5461 - 4 = 65528 bytes) reach the kernel and filter', async (t) => {
  const entries = await listSockets({ localPort: sameParity(5461), proto: 'tcp', options: 'auto' })
  const mine = entries.find((e) => e.local.port === port && e.state === 'LISTEN')
  t.ok(mine, "the kernel took the program: the holder's listener is listed")
  t.equal(mine?.options?.TCP_NODELAY, true, 'with the option its process set')
  t.notOk(entries.some((e) => e.local.port === other), 'a port not in the list is filtered out')
  t.ok(entries.every((e) => e.local.port % 2 === port % 2), 'every entry has a listed port')
})

t.test('localPort: 5462 single ports (65540 bytes) is a TypeError naming the field, before any dump', async (t) => {
  await t.rejects(listSockets({ localPort: sameParity(5462) }), {
    name: 'TypeError',
    message: /^listSockets: the port and address filters need 65540 bytes of kernel filter \(inet_diag bytecode\), more than the 65528 a request can carry; localPort has the most \(5462 entries\)/,
  })
})

t.test('port (local or remote): 2730 fit (65516 bytes), 2731 do not', async (t) => {
  const fits = await listSockets({ port: sameParity(2730), proto: 'tcp', options: false })
  t.ok(fits.some((e) => e.local.port === port), 'listed through the kernel filter')
  await t.rejects(listSockets({ port: sameParity(2731) }), { name: 'TypeError', message: /need 65540 bytes .* port has the most \(2731 entries\)/ })
})

t.test('thousands of entries fail at once, without compiling', async (t) => {
  await t.rejects(listSockets({ port: sameParity(3000) }), { name: 'TypeError', message: /port has the most \(3000 entries\)/ })
  const addresses = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`)
  await t.rejects(listSockets({ address: addresses }), { name: 'TypeError', message: /need at least 160000 bytes .* address has the most \(5000 entries\)/ })
  const many = Array.from({ length: 70000 }, (_, i) => i % 65536)
  await t.rejects(listSockets({ port: many }), { name: 'TypeError', message: /^listSockets: port has 70000 entries, more than the 65536 allowed/ })
})

t.test('ports are folded into ranges first: every port is no filter at all', async (t) => {
  const every = Array.from({ length: 65536 }, (_, i) => i)
  const entries = await listSockets({ localPort: every, proto: 'tcp', options: false })
  t.ok(entries.some((e) => e.local.port === port) && entries.some((e) => e.local.port === other), 'both listeners')
  const adjacent = Array.from({ length: 20000 }, (_, i) => 20000 + i)
  const ranged = await listSockets({ localPort: adjacent, proto: 'tcp', options: false })
  t.ok(ranged.every((e) => e.local.port >= 20000 && e.local.port < 40000), '20000 adjacent ports are one range')
})

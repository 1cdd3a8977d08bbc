// A listed entry prints as the plain data JSON.stringify sees: no accessors, no
// symbol-keyed record Buffers (console.log(entry) showed both, 11 KB for 9 sockets).
import { inspect } from 'node:util'
import t from 'tap'
import { listSockets } from '../../src/index.js'

t.test('util.inspect of a real entry is its JSON view', async (t) => {
  const entries = await listSockets({ tcpInfo: true })
  t.ok(entries.length > 0, 'this host has sockets')
  for (const entry of entries.slice(0, 20)) {
    const shown = inspect(entry, { depth: Infinity, breakLength: Infinity })
    t.notMatch(shown, 'Getter', 'no accessors')
    t.notMatch(shown, 'Symbol(', 'no internal symbols')
    t.notMatch(shown, '<Buffer', 'no record Buffers')
    t.equal(shown, inspect(JSON.parse(JSON.stringify(entry)), { depth: Infinity, breakLength: Infinity }), `${entry.proto} ${entry.state}`)
  }
  const [first] = entries
  t.match(inspect(first, { depth: 0 }), /^\{\s+proto: '(tcp|udp)'.*local: \[Object\]/s, "the caller's depth holds")
})

t.test('inspecting an entry before reading it leaves it as JSON sees it', async (t) => {
  const [entry] = await listSockets({ proto: 'tcp', tcpInfo: true })
  if (entry === undefined) {
    t.pass('no TCP socket to look at')
    return
  }
  inspect(entry)
  t.same(Object.keys(entry), Object.keys(JSON.parse(JSON.stringify(entry))), 'same keys, same order')
  t.equal(typeof Object.getOwnPropertyDescriptor(entry, 'netlink')?.value, 'object', 'the lazy field settled to data')
})

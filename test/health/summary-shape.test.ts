// summarizeSockets checks that its entries are a listing's before reading them: a
// wrong shape is a TypeError naming the entry and field, never a crash deep inside or
// counts of NaN.
import t from 'tap'
import { listSockets, summarizeSockets } from '../../src/index.js'
import { holdHostile } from '../helpers/hostile.js'

const holder = await holdHostile(Buffer.from('summary-shape'), 0)
t.teardown(() => holder.close())
// Its own address too: sockets of other tests may use the port number on other addresses.
const entries = await listSockets({ localPort: holder.info.port, localAddress: '127.0.0.1', proto: 'tcp', state: 'LISTEN' })

t.test('a real listing is summarized', async (t) => {
  t.equal(entries.length, 1, "the holder's listener")
  const summary = summarizeSockets(entries)
  t.equal(summary.acceptQueues.listeners, 1)
  t.equal(summary.counts.byProto.tcp, 1)
})

t.test('entries of the wrong shape are TypeErrors naming the field', async (t) => {
  const bad = (value: unknown): unknown[] => [entries[0], value]
  const cases: [unknown, RegExp][] = [
    [[{ proto: 'x' }], /^summarizeSockets: entries\[0\]\.proto must be 'tcp' or 'udp', got "x"; pass the entries listSockets/],
    [bad(null), /^summarizeSockets: entries\[1\] is not a socket entry/],
    [bad({ ...entries[0], family: 5 }), /entries\[1\]\.family must be 4 or 6, got 5/],
    [bad({ ...entries[0], state: 'toString' }), /entries\[1\]\.state must be a kernel state name, got "toString"/],
    [bad({ ...entries[0], local: null }), /entries\[1\]\.local must be \{ address, port \}/],
    [bad({ ...entries[0], recvQ: '3' }), /entries\[1\]\.recvQ must be an integer, got "3"/],
    [bad({ ...entries[0], diag: undefined }), /entries\[1\]\.diag must be an object of flags/],
    [bad({ ...entries[0], options: 'TCP_NODELAY=1' }), /entries\[1\]\.options must be an object or null/],
    ['not a list', /^summarizeSockets: entries must be the array listSockets returns, got string/],
  ]
  for (const [input, message] of cases) {
    t.throws(() => summarizeSockets(input as never), { name: 'TypeError', message }, String(message))
  }
})

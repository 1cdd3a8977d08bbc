// summarizeSockets over real sockets this test holds (a full accept queue, a nearly
// full one, a zero-window pair) and over the recorded text fixtures. It counts; the
// verdicts are checkSockets' (check.test.ts).
import t from 'tap'
import { describeSocket, listSockets, summarizeSockets, type SocketEntry } from '../../src/index.js'
import { listenerPorts, holdHealthSockets } from '../helpers/health-sockets.js'
import { TEXT_FIXTURES as fixtures } from '../helpers/knetstat-text.js'

const held = await holdHealthSockets()
t.teardown(() => held.close())
const { ports, backlogs, waiting } = held.info
const query = { proto: 'tcp', family: 4, port: listenerPorts(held.info) } as const

const listener = (entries: readonly SocketEntry[], port: number): SocketEntry | undefined =>
  entries.find((e) => e.state === 'LISTEN' && e.local.port === port)

/** Lists until the zero-window pair shows its flags (the kernel sets them as the buffers fill). */
async function listSettled(): Promise<SocketEntry[]> {
  for (let i = 0; ; i++) {
    const entries = await listSockets(query)
    const writer = entries.find((e) => e.local.port === ports['window.writer'] && e.remote.port === ports.window)
    if (writer?.diag.sendWindowZero === true || i === 100) return entries
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const entries = await listSettled()

t.test('counts by proto, family and state', async (t) => {
  const s = summarizeSockets(entries)
  t.equal(s.counts.total, entries.length)
  t.equal(s.counts.byProto.tcp, entries.length)
  t.equal(s.counts.byProto.udp, 0)
  t.equal(s.counts.byFamily[4], entries.length)
  t.equal(s.counts.byState.tcp.LISTEN, 6, 'six listeners')
  t.equal(s.acceptQueues.listeners, 6)
  t.equal(s.counts.groups.reduce((n, g) => n + g.count, 0), entries.length, 'the groups add up')
  const established = entries.filter((e) => e.state === 'ESTABLISHED').length
  t.same(
    s.counts.groups.find((g) => g.state === 'ESTABLISHED'),
    { proto: 'tcp', family: 4, state: 'ESTABLISHED', count: established },
  )
})

t.test('a listener whose accept queue is over its limit is full', async (t) => {
  const s = summarizeSockets(entries)
  const full = listener(entries, ports.full)
  t.ok(full, 'the full listener is listed')
  t.ok((full?.recvQ ?? 0) > backlogs.full, `recvQ ${full?.recvQ} > listen(${backlogs.full})`)
  t.equal(s.acceptQueues.full.length, 1, 'one full listener')
  const q = s.acceptQueues.full[0]
  t.equal(q?.entry, full, 'the summary keeps the listing’s own object')
  t.equal(q?.limit, backlogs.full)
  t.equal(q?.limitSource, 'kernel')
  t.equal(q?.length, full?.recvQ)
  t.equal(q?.fill, (full?.recvQ ?? 0) / backlogs.full)
  t.ok(q?.full)
  t.equal(s.acceptQueues.largestFill, q?.fill, 'the largest fill is the full one')
})

t.test('nearly full: recvQ >= ratio × limit', async (t) => {
  const nearly = listener(entries, ports.nearly)
  t.equal(nearly?.recvQ, waiting.nearly, `${waiting.nearly} connections wait`)
  t.equal(nearly?.backlog, backlogs.nearly)
  const s = summarizeSockets(entries)
  t.same(
    s.acceptQueues.nearlyFull.map((q) => [q.entry.local.port, q.length, q.limit, q.full]),
    [[ports.nearly, 4, 5, false]],
  )
  t.ok(s.acceptQueues.nearlyFull[0]?.entry === nearly)
  const stricter = summarizeSockets(entries, { nearlyFullRatio: 0.9 })
  t.same(stricter.acceptQueues.nearlyFull, [], '4 < 0.9 × 5')
  t.notOk(
    [...s.acceptQueues.full, ...s.acceptQueues.nearlyFull].some((q) => q.entry.local.port === ports.idle),
    'an idle listener is neither',
  )
  t.same(s.acceptQueues.unknownLimit, [], 'netlink gives every limit')
})

t.test('diag flags: the zero-window pair', async (t) => {
  const writer = entries.find((e) => e.local.port === ports['window.writer'] && e.remote.port === ports.window)
  const reader = entries.find((e) => e.state === 'ESTABLISHED' && e.local.port === ports['window.reader'] && e.remote.port === ports['window.writer'])
  t.equal(writer?.diag.sendWindowZero, true, 'the writer sees a zero window')
  const s = summarizeSockets(entries)
  t.ok(s.diag.sendWindowZero.includes(writer as SocketEntry), 'the writer is listed under sendWindowZero')
  t.equal(s.diag.sendWindowZero.length, 1)
  if (reader?.diag.receiveWindowZero === null) t.comment('this kernel does not report our own window (Linux < 6.2)')
  else {
    t.equal(reader?.diag.receiveWindowZero, true, 'the reader advertises a zero window')
    t.same(s.diag.receiveWindowZero, [reader])
  }
  t.same(s.diag.unknown, { sendWindowZero: 0, receiveWindowZero: s.diag.unknown.receiveWindowZero, ackStalled: 0 })
})

t.test('recorded text: the limit comes from the backlog option', async (t) => {
  const recorded = await listSockets({ procNet: fixtures })
  const unknown = summarizeSockets(recorded)
  t.equal(unknown.acceptQueues.listeners, 4, '127.0.0.1:6010, 0.0.0.0:8080, ::1:6010, :::22')
  t.equal(unknown.acceptQueues.unknownLimit.length, 4, 'text carries no limit')
  t.same(unknown.acceptQueues.full, [])

  const l8080 = recorded.find((e) => e.state === 'LISTEN' && e.local.port === 8080)
  t.equal(l8080?.recvQ, 3)
  t.equal(l8080?.backlog, undefined)
  const full = summarizeSockets(recorded, { backlog: 2 })
  t.same(full.acceptQueues.full.map((q) => [q.entry, q.length, q.limit, q.limitSource]), [[l8080, 3, 2, 'option']])

  const nearly = summarizeSockets(recorded, { backlog: 3 })
  t.same(nearly.acceptQueues.nearlyFull.map((q) => q.entry), [l8080], '3 >= 0.8 × 3, not over 3')
  t.same(nearly.acceptQueues.full, [])
  t.equal(nearly.acceptQueues.largestFill, 1)

  const node = summarizeSockets(recorded, { backlog: 511 })
  t.same([node.acceptQueues.full, node.acceptQueues.nearlyFull, node.acceptQueues.unknownLimit], [[], [], []], "Node's default 511: room to spare")
  t.equal(node.acceptQueues.largestFill, 3 / 511)
})

t.test('recorded text: counts and diag flags', async (t) => {
  const recorded = await listSockets({ procNet: fixtures })
  const s = summarizeSockets(recorded)
  t.equal(s.counts.total, 28)
  t.same(s.counts.byProto, { tcp: 22, udp: 6 })
  t.same(s.counts.byFamily, { 4: 20, 6: 8 })
  t.same(s.counts.byState.udp, { CLOSE: 3, ESTABLISHED: 3 })
  t.equal(s.counts.byState.tcp.ESTABLISHED, 7)
  t.equal(s.counts.byState.tcp.TIME_WAIT, 2)
  t.equal(s.counts.byState.tcp.BOUND_INACTIVE, 1)
  t.same(s.diag.sendWindowZero.map(describeSocket), ['tcp 127.0.0.1:40000 -> 127.0.0.1:40001 ESTABLISHED', 'tcp 127.0.0.1:40002 -> 127.0.0.1:40003 ESTABLISHED'])
  t.same(s.diag.receiveWindowZero.map(describeSocket), ['tcp 127.0.0.1:40001 -> 127.0.0.1:40000 ESTABLISHED', 'tcp 127.0.0.1:40002 -> 127.0.0.1:40003 ESTABLISHED'])
  t.same(s.diag.ackStalled.map(describeSocket), [
    'tcp 10.0.0.5:51234 -> 10.0.0.9:443 ESTABLISHED',
    'tcp6 2001:db8:85a3::8a2e:370:7334:443 -> 2001:db8:1234:5678:9abc:def0:1234:5678:61000 ESTABLISHED',
  ])
  t.same(s.diag.unknown, { sendWindowZero: 0, receiveWindowZero: 0, ackStalled: 3 }, 'a window code hides the ACK flag: unknown on the three window lines')
})

t.test('bad options are TypeErrors', async (t) => {
  t.throws(() => summarizeSockets([], { backlog: 1.5 }), TypeError)
  t.throws(() => summarizeSockets([], { nearlyFullRatio: 0 }), TypeError)
  t.same(summarizeSockets([]).counts.total, 0, 'nothing listed: nothing counted')
})

// streamSockets against the real kernel: the same entries as listSockets, entries
// whose lazily decoded fields serialize like plain data, the netlink socket closed
// on every way out of the loop (no fd leak), and a slow consumer holding a bounded
// amount of memory while the kernel waits.
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { listSockets, streamSockets, type SocketEntry } from '../../src/index.js'
import { openFds, openSockets } from './sockets.js'

// ~6,000 sockets of this process: several batches of a TCP dump.
const set = await openSockets(3, 3000)
t.teardown(() => set.close())
const listenerPorts = set.listeners.map((l) => l.port)
const key = (e: SocketEntry) => `${e.proto}${e.family} ${e.state} ${e.local.address}:${e.local.port} ${e.remote.address}:${e.remote.port} ${e.inode}`

t.test('streamSockets yields what listSockets lists', async (t) => {
  const query = { proto: 'tcp' as const, options: false as const, port: listenerPorts }
  const listed = await listSockets(query)
  const streamed: SocketEntry[] = []
  for await (const entry of streamSockets(query)) streamed.push(entry)
  t.ok(listed.length > 6000, `${listed.length} entries`)
  // TCP of both families comes in the kernel's hash order; listSockets puts IPv4 first.
  t.same(streamed.map(key).sort(), listed.map(key).sort())
  const v4 = { ...query, family: 4 as const }
  const byFamily: SocketEntry[] = []
  for await (const entry of streamSockets(v4)) byFamily.push(entry)
  t.same(byFamily.map(key), (await listSockets(v4)).map(key), 'one family: the same order')
  t.same(Object.keys(streamed[0] as SocketEntry), Object.keys(listed[0] as SocketEntry), 'same fields in the same order')
})

t.test('lazily decoded fields behave as plain data', async (t) => {
  const [entry] = await listSockets({ proto: 'tcp', options: false, localPort: set.listeners[0]?.port, state: 'ESTABLISHED' })
  if (entry === undefined) throw new Error('no entry')
  const json = JSON.parse(JSON.stringify(entry))
  t.type(json.tcpInfo?.rtt, 'number', 'JSON has tcp_info')
  t.type(json.netlink?.cookie, 'string', 'JSON has the netlink details')
  const copy = { ...entry }
  t.ok(Object.keys(copy.tcpInfo ?? {}).length >= 70, 'a spread copy has the whole tcp_info')
  t.same(copy.tcpInfo, entry.tcpInfo)
  t.same(structuredClone(entry).netlink, entry.netlink)
  t.ok(Object.keys(entry).includes('tcpInfo') && Object.keys(entry).includes('netlink'))
  entry.tcpInfo = null
  t.equal(entry.tcpInfo, null, 'assignable')
  delete entry.netlink
  t.notOk('netlink' in entry, 'deletable')
  const plain = await listSockets({ proto: 'tcp', options: false, tcpInfo: false, localPort: set.listeners[0]?.port })
  t.notOk(plain.some((e) => 'tcpInfo' in e), 'no tcpInfo field without tcpInfo')
  t.throws(() => {
    ;(entry.diag as { ackStalled: boolean | null }).ackStalled = true
  }, TypeError, 'diag flags are shared frozen objects')
})

t.test('breaking out closes the netlink socket', async (t) => {
  const before = await openFds()
  let during = 0
  let seen = 0
  for await (const entry of streamSockets({ proto: 'tcp', options: false })) {
    if (entry) seen++
    if (seen === 1) during = await openFds()
    if (seen === 10) break
  }
  t.equal(during, before + 1, 'one netlink socket while streaming')
  t.equal(await openFds(), before, 'closed after break')
})

t.test('a throw in the loop closes it too, and so does finishing', async (t) => {
  const before = await openFds()
  await t.rejects(
    (async () => {
      for await (const entry of streamSockets({ proto: 'tcp', options: false })) if (entry) throw new Error('consumer failed')
    })(),
    { message: 'consumer failed' },
  )
  t.equal(await openFds(), before, 'closed after a throw')
  let n = 0
  for await (const entry of streamSockets({ proto: 'tcp', options: false, port: listenerPorts })) if (entry) n++
  t.ok(n > 0)
  t.equal(await openFds(), before, 'closed at the end')
  const iterator = streamSockets({ proto: 'udp', options: false })
  await iterator.return?.()
  t.equal(await openFds(), before, 'an iterator closed before its first entry opens nothing')
})

t.test('a bad query throws at once', async (t) => {
  t.throws(() => streamSockets({ port: -1 } as never), TypeError)
})

t.test('a slow consumer holds a bounded amount of memory', async (t) => {
  const query = { proto: 'tcp' as const, options: false as const, port: listenerPorts }
  // What the whole dump weighs: the records of every matching socket.
  const total = (await listSockets(query)).length * 300
  t.ok(total > 1_500_000, `the dump is ${(total / 1e6).toFixed(1)} MB of records`)
  // Collect garbage before each sample, so external memory counts live record buffers only.
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  const start = process.memoryUsage()
  let peakExternal = 0
  let peakRss = 0
  let n = 0
  for await (const entry of streamSockets(query)) {
    if (entry) n++
    if (n % 500 === 1) {
      // The consumer is slow: the kernel waits for it instead of the process buffering the dump.
      await sleep(50)
      gc()
      const now = process.memoryUsage()
      peakExternal = Math.max(peakExternal, now.external + now.arrayBuffers - start.external - start.arrayBuffers)
      peakRss = Math.max(peakRss, now.rss - start.rss)
    }
  }
  t.ok(n > 6000)
  t.ok(peakExternal < total / 2, `record buffers held at most ${(peakExternal / 1e6).toFixed(2)} MB of ${(total / 1e6).toFixed(1)} MB`)
  t.ok(peakRss < 64e6, `RSS grew by at most ${(peakRss / 1e6).toFixed(1)} MB`)
})

t.test('with processes and pidfd options, the stream matches the listing', async (t) => {
  const query = { proto: 'tcp' as const, port: set.listeners[1]?.port, processes: true, options: 'pidfd' as const }
  const plain = (e: SocketEntry) => JSON.stringify({ ...e, tcpInfo: null, netlink: null })
  const listed = (await listSockets(query)).map(plain).sort()
  const streamed: string[] = []
  for await (const entry of streamSockets(query)) streamed.push(plain(entry))
  t.ok(listed.length >= 7, `${listed.length} entries`)
  t.same(streamed.sort(), listed)
  for await (const entry of streamSockets(query)) {
    t.equal(entry.processes?.[0]?.pid, process.pid, 'held by this process')
    t.equal(entry.optionsSource, 'pidfd')
    break
  }
})

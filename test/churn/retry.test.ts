// The retry of an interrupted listing and the de-duplication of repeated sockets,
// through the cursor seam of src/sources/netlink/ (NetlinkReadOptions.binding):
// the real addon and kernel underneath, with batches re-flagged or repeated on the
// way up. inet_diag never sets NLM_F_DUMP_INTR (see docs/native.md, "Consistency
// under churn"), so this is the only way to reach the retry against the real dump;
// that the cursor reports the flag and does not retry is tested with a scripted
// transport in test/native/cxx/dump_cursor_test.cc.
import { endianness } from 'node:os'
import { createServer, type Server } from 'node:net'
import { createSocket, type Socket } from 'node:dgram'
import t from 'tap'
import type { DumpCursorBatch, DumpCursorHandle } from '../../types/binding.js'
import { loadBinding } from '../../src/native/load.js'
import { normalizeQuery } from '../../src/query.js'
import { dumpCounters, type DumpCursorBinding, type DumpState, listFromNetlink, MAX_LIST_ATTEMPTS, netlinkBatches, R } from '../../src/sources/netlink/index.js'
import type { SocketEntry } from '../../src/model.js'
import { readDump } from '../native/fixtures/dump.js'

const server: Server = createServer()
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const port = (server.address() as { port: number }).port
const udp: Socket = createSocket('udp4')
await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve))
const udpPort = udp.address().port
t.teardown(() => {
  server.close()
  udp.close()
})

const real = loadBinding()

/** A cursor binding over the real one; `edit` may change each batch on its way up. */
function scripted(edit: (batch: DumpCursorBatch, cursor: number) => DumpCursorBatch) {
  const handles = new Map<DumpCursorHandle, number>()
  const log = { opened: 0, closed: 0, finished: 0 }
  const binding: DumpCursorBinding = {
    openDumpCursor(requests) {
      const handle = real.openDumpCursor(requests)
      handles.set(handle, ++log.opened)
      return handle
    },
    async readDumpCursor(handle, minBytes) {
      const batch = await real.readDumpCursor(handle, minBytes)
      if (batch.done) log.finished++
      return edit(batch, handles.get(handle) as number)
    },
    async closeDumpCursor(handle) {
      log.closed++
      await real.closeDumpCursor(handle)
    },
  }
  return { binding, log }
}

const ours = (entries: SocketEntry[]): SocketEntry[] =>
  entries.filter((e) => (e.proto === 'tcp' && e.local.port === port && e.state === 'LISTEN') || (e.proto === 'udp' && e.local.port === udpPort))

t.test('a listing the kernel flags interrupted is read again, and the clean read is returned', async (t) => {
  const interruptedCursors = 2
  // The flag on the last batch only (done): a late flag counts as much as an early one.
  const { binding, log } = scripted((batch, cursor) => (cursor <= interruptedCursors && batch.done ? { ...batch, interrupted: true } : batch))
  const before = { ...dumpCounters }
  const entries = await listFromNetlink(normalizeQuery({ options: false }), { binding })
  t.equal(log.opened, interruptedCursors + 1, 'one cursor a read: two interrupted, one clean')
  t.equal(log.finished, interruptedCursors + 1, 'each read to its end')
  t.equal(dumpCounters.listRetries - before.listRetries, interruptedCursors)
  t.equal(dumpCounters.interrupted - before.interrupted, interruptedCursors)
  t.equal(ours(entries).length, 2, "the test's listener and UDP socket, once each")
})

t.test('a listing interrupted on every read rejects with EINTR after MAX_LIST_ATTEMPTS reads', async (t) => {
  const { binding, log } = scripted((batch) => ({ ...batch, interrupted: true }))
  await t.rejects(listFromNetlink(normalizeQuery({ options: false }), { binding }), {
    code: 'EINTR',
    errno: -4,
    syscall: 'recvmsg',
    message: /interrupted \(NLM_F_DUMP_INTR\) on 5 attempts/,
  })
  t.equal(MAX_LIST_ATTEMPTS, 5)
  t.equal(log.opened, MAX_LIST_ATTEMPTS)
  t.equal(log.finished, MAX_LIST_ATTEMPTS, 'every cursor read to its end, so each closed its socket')
})

t.test('a stream reports an interrupted dump but does not read it again', async (t) => {
  const { binding, log } = scripted((batch) => ({ ...batch, interrupted: true }))
  const state: DumpState = { interrupted: false }
  let count = 0
  for await (const batch of netlinkBatches(normalizeQuery({ options: false }), { binding }, state)) count += batch.length
  t.ok(count > 0)
  t.equal(state.interrupted, true)
  t.equal(log.opened, 1)
})

/** Every batch's records twice, back to back: what a dump repeating every socket would send. */
const doubled = (batch: DumpCursorBatch): DumpCursorBatch => ({ ...batch, records: Buffer.concat([batch.records, batch.records]) })

t.test('a socket the dump sends twice is listed once', async (t) => {
  const { binding } = scripted(doubled)
  const state: DumpState = { interrupted: false }
  const seen: SocketEntry[] = []
  for await (const batch of netlinkBatches(normalizeQuery({ options: false }), { binding }, state)) seen.push(...batch)
  t.equal(ours(seen).length, 2, 'streamed once each')
  t.equal(state.duplicates, seen.length, 'every repeat counted as dropped')
  const cookies = seen.map((e) => e.netlink?.cookie)
  t.equal(new Set(cookies).size, cookies.length, 'no cookie twice')
  const listed = await listFromNetlink(normalizeQuery({ options: false }), { binding })
  t.equal(ours(listed).length, 2, 'listed once each')
  const inodes = listed.map((e) => e.inode).filter((inode) => inode !== null)
  t.equal(new Set(inodes).size, inodes.length, 'no inode twice')
})

t.test('the same cookie in two tables is two sockets', async (t) => {
  // The UDP socket's record given the listener's cookie: the identity is per table.
  const { records } = await readDump([
    { family: 2, protocol: 6, states: 1 << 10, extensions: 0 },
    { family: 2, protocol: 17, states: 0xffffffff, extensions: 0 },
  ])
  const bytes = Uint8Array.from(records)
  const view = new DataView(bytes.buffer)
  const le = endianness() === 'LE'
  const find = (protocol: number, localPort: number): number => {
    for (let at = 0; at < bytes.byteLength; at += view.getUint32(at + R.size, le)) {
      if (bytes[at + R.protocol] === protocol && view.getUint16(at + R.localPort, le) === localPort) return at
    }
    throw new Error(`no record of protocol ${protocol} port ${localPort}`)
  }
  const tcpAt = find(6, port)
  const udpAt = find(17, udpPort)
  bytes.copyWithin(udpAt + R.cookie, tcpAt + R.cookie, tcpAt + R.cookie + 8)
  const fake: DumpCursorBinding = {
    openDumpCursor: (requests) => real.openDumpCursor(requests),
    readDumpCursor: async (handle) => {
      await real.closeDumpCursor(handle)
      return { records: Buffer.from(bytes), done: true, interrupted: false }
    },
    closeDumpCursor: (handle) => real.closeDumpCursor(handle),
  }
  const listed = ours(await listFromNetlink(normalizeQuery({ family: 4, options: false }), { binding: fake }))
  t.same(listed.map((e) => e.proto).sort(), ['tcp', 'udp'])
  t.equal(listed[0]?.netlink?.cookie, listed[1]?.netlink?.cookie)
})

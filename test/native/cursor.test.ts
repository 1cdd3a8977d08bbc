// The addon's dump cursor against the real kernel: small batches add up to the dump
// read in one batch, the socket opens on the first read and closes at the end, on
// close and on failure (fd counts), one read at a time, handles are checked, errors
// are shaped.
import { readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import t from 'tap'
import type { DumpRequest } from '../../types/binding.js'
import { loadBinding } from '../../src/native/load.js'
import { decodeEntries, dumpEntries } from './fixtures/dump.js'

const native = loadBinding()
const fds = () => readdirSync('/proc/self/fd').length
const tcp = (family: number, states = 1 << 10): DumpRequest => ({ family, protocol: 6, states, extensions: 0 })

/** A listener on `host`, closed at the end of the test. */
async function listener(t: { teardown: (fn: () => Promise<void>) => void }, host: string): Promise<void> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
}

t.test('batches of a LISTEN dump add up to the dump read in one batch', async (t) => {
  await listener(t, '127.0.0.1')
  await listener(t, '::1')
  const requests = [tcp(2), tcp(10)]
  const before = fds()
  const handle = native.openDumpCursor(requests)
  t.equal(fds(), before, 'no socket before the first read')
  const parts: Buffer[] = []
  for (;;) {
    const batch = await native.readDumpCursor(handle, 1)
    parts.push(batch.records)
    t.type(batch.interrupted, 'boolean')
    if (batch.done) break
    t.equal(fds(), before + 1, 'one socket while the dump goes on')
  }
  t.equal(fds(), before, 'closed when done')
  const again = await native.readDumpCursor(handle, 1)
  t.same([again.records.length, again.done], [0, true], 'reading a finished cursor gives nothing')
  await native.closeDumpCursor(handle)
  t.ok(parts.length >= 2, `a batch per request at least: ${parts.length}`)
  const key = (e: { family: number; local: { address: string; port: number } }) => `${e.family} ${e.local.address}:${e.local.port}`
  const streamed = decodeEntries(Buffer.concat(parts)).map(key).sort()
  const whole = (await dumpEntries(requests)).map(key).sort()
  t.ok(whole.length > 0, 'listeners on this host')
  t.same(streamed, whole)
})

t.test('family 0 dumps TCP of both families in one request', async (t) => {
  await listener(t, '127.0.0.1')
  await listener(t, '::1')
  const handle = native.openDumpCursor([tcp(0)])
  const parts: Buffer[] = []
  for (let batch = await native.readDumpCursor(handle, 1 << 20); ; batch = await native.readDumpCursor(handle, 1 << 20)) {
    parts.push(batch.records)
    if (batch.done) break
  }
  const both = decodeEntries(Buffer.concat(parts))
  const separate = await dumpEntries([tcp(2), tcp(10)])
  const key = (e: { family: number; local: { address: string; port: number } }) => `${e.family} ${e.local.address}:${e.local.port}`
  t.ok(separate.length > 0, 'listeners on this host')
  t.same(both.map(key).sort(), separate.map(key).sort())
  t.ok(both.every((e) => e.proto === 'tcp'))
})

t.test('closing mid-dump closes the socket', async (t) => {
  const before = fds()
  const handle = native.openDumpCursor([tcp(2, 0xffffffff), tcp(10, 0xffffffff), { ...tcp(2, 0xffffffff), protocol: 17 }])
  await native.readDumpCursor(handle, 1)
  await native.closeDumpCursor(handle)
  t.equal(fds(), before)
  await native.closeDumpCursor(handle)
  t.pass('closing twice is fine')
})

t.test('one read at a time; handles and sizes are checked', async (t) => {
  const handle = native.openDumpCursor([tcp(2)])
  const reading = native.readDumpCursor(handle, 1)
  t.throws(() => native.readDumpCursor(handle, 1), { code: 'ERR_KNETSTAT_CURSOR_BUSY' })
  t.throws(() => native.closeDumpCursor(handle), { code: 'ERR_KNETSTAT_CURSOR_BUSY' })
  await reading
  await native.closeDumpCursor(handle)
  t.throws(() => native.readDumpCursor({} as never, 1), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => native.readDumpCursor(native.openDumpCursor([]), 0), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })
  t.throws(() => native.readDumpCursor(native.openDumpCursor([]), 1.5), { code: 'ERR_OUT_OF_RANGE' })
  t.throws(() => native.openDumpCursor([{ family: 2 }] as never), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
})

t.test('kernel errors reject with code, errno and syscall, and leave no socket', async (t) => {
  const before = fds()
  const handle = native.openDumpCursor([{ family: 3, protocol: 6, states: 0xffffffff, extensions: 0 }])
  await t.rejects(native.readDumpCursor(handle, 1), { code: 'ENOENT', errno: -2, syscall: 'recvmsg' })
  t.equal(fds(), before, 'closed after the failure')
  const udpBoth = native.openDumpCursor([{ family: 0, protocol: 17, states: 0xffffffff, extensions: 0 }])
  await t.rejects(native.readDumpCursor(udpBoth, 1), { code: 'EINVAL', syscall: 'sendmsg' })
  t.equal(fds(), before)
  const bad = native.openDumpCursor([{ ...tcp(2), bytecode: new Uint8Array([0xff, 4, 8, 0]) }])
  await t.rejects(native.readDumpCursor(bad, 1), { code: 'EINVAL' }, 'the kernel audits bytecode')
  t.equal(fds(), before)
})

t.test('an empty request list is done at once', async (t) => {
  const batch = await native.readDumpCursor(native.openDumpCursor([]), 1)
  t.same([batch.records.length, batch.done, batch.interrupted], [0, true, false])
})

t.test('a cursor dropped unclosed closes its socket when collected', async (t) => {
  const { setFlagsFromString } = await import('node:v8')
  const { runInNewContext } = await import('node:vm')
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const before = fds()
  await (async () => {
    const handle = native.openDumpCursor([tcp(2, 0xffffffff), tcp(10, 0xffffffff)])
    await native.readDumpCursor(handle, 1)
  })()
  t.equal(fds(), before + 1, 'open while referenced')
  for (let i = 0; i < 10 && fds() > before; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.equal(fds(), before, 'closed by the finalizer')
})

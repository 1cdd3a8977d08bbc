// A query is read through its own properties, once: a field on Object.prototype is
// not a field (it would make every listing in the process replay a fake table), and
// a getter cannot pass validation with one value and filter with another.
import { createServer } from 'node:net'
import t from 'tap'
import { listSockets, type ListQuery } from '../../src/index.js'
import { holdHostile } from '../helpers/hostile.js'
import { TCP_HEADER, UDP_HEADER } from '../helpers/knetstat-text.js'

const holder = await holdHostile(Buffer.from('own-fields'), 0)
const port = holder.info.port
t.teardown(() => holder.close())

const FAKE = `${TCP_HEADER}\n     0      0 6.6.6.6:666             0.0.0.0:*               LSTN      SO_REUSEADDR=1\n`

/** Runs `fn` with `key` set on `proto` (as an attacker's dependency would), removing it after. */
async function polluted<T>(proto: object, key: PropertyKey, value: unknown, fn: () => Promise<T>): Promise<T> {
  Object.defineProperty(proto, key, { value, configurable: true, writable: true, enumerable: false })
  try {
    return await fn()
  } finally {
    delete (proto as Record<PropertyKey, unknown>)[key]
  }
}

t.test('Object.prototype.procNet does not turn listings into a replay', async (t) => {
  const entries = await polluted(Object.prototype, 'procNet', { tcpstat: FAKE }, () => listSockets({ proto: 'tcp' }))
  t.notOk(entries.some((e) => e.local.address === '6.6.6.6'), 'no fake socket')
  const mine = entries.find((e) => e.local.port === port)
  t.ok(mine, "the live host's listener is listed")
  t.equal(mine?.options?.TCP_NODELAY, true, 'with the option its process set')
})

t.test('Object.prototype.port and .tcpstat are not fields either', async (t) => {
  const entries = await polluted(Object.prototype, 'port', 1, () => listSockets({ proto: 'tcp', options: false }))
  t.ok(entries.some((e) => e.local.port === port), 'no port filter came from the prototype')
  // A replay of only udpstat: tcpstat must not come from the prototype.
  const replay = await polluted(Object.prototype, 'tcpstat', FAKE, () => listSockets({ procNet: { udpstat: `${UDP_HEADER}\n` } }))
  t.same(replay, [], 'the recording has only an empty udpstat')
})

t.test('a hole in a list is not filled from Array.prototype', async (t) => {
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [port, , port] as unknown as number[]
  await t.rejects(
    polluted(Array.prototype, 1, 22, () => listSockets({ port: sparse })),
    { name: 'TypeError', message: /^listSockets: port undefined is not a port/ },
  )
})

t.test('getters are read once: what was validated is what filters', async (t) => {
  let reads = 0
  const range = {
    get from() {
      reads++
      return reads === 1 ? port : -5
    },
    to: port,
  }
  const entries = await listSockets({ localPort: range, proto: 'tcp', options: false } as ListQuery)
  t.equal(reads, 1, 'from was read once')
  t.ok(entries.length > 0 && entries.every((e) => e.local.port === port), 'the listing used the validated value')

  let textReads = 0
  const texts = {
    get tcpstat() {
      textReads++
      return textReads === 1 ? FAKE : 42
    },
  }
  const replay = await listSockets({ procNet: texts } as ListQuery)
  t.equal(textReads, 1, 'a recording text was read once')
  t.equal(replay[0]?.local.address, '6.6.6.6', 'and replayed as checked')

  let queryReads = 0
  const query = {
    get port() {
      queryReads++
      return queryReads === 1 ? port : 'bogus'
    },
    proto: 'tcp',
    options: false,
  } as ListQuery
  const listed = await listSockets(query)
  t.equal(queryReads, 1, 'a query field was read once')
  t.ok(listed.some((e) => e.local.port === port))
})

t.test('a real server is still found by its own-property query', async (t) => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const p = (server.address() as { port: number }).port
  // Its own address too: other jobs' sockets may share the ephemeral port number on other addresses.
  const entries = await listSockets(Object.assign(Object.create({ port: 1 }), { localPort: p, localAddress: '127.0.0.1', options: false }) as ListQuery)
  t.equal(entries.length, 1, 'the inherited port (1) is ignored, the own localPort applies')
  t.equal(entries[0]?.local.port, p)
})

t.test('Object.prototype.path does not turn recorded texts into a directory to read', async (t) => {
  const texts = { tcpstat: FAKE }
  const replay = await polluted(Object.prototype, 'path', '/etc', () => listSockets({ procNet: texts, options: false }))
  t.same(
    replay.map((e) => e.local.address),
    ['6.6.6.6'],
    'the texts are replayed, not a directory named by the prototype',
  )
})

// AbortSignal on listings: an aborted listing rejects with an AbortError and leaves no
// netlink socket behind.
import { readdirSync } from 'node:fs'
import { createServer, connect, type Socket } from 'node:net'
import t from 'tap'
import { listSockets, streamSockets } from '../../src/index.js'

const fds = (): number => readdirSync('/proc/self/fd').length

// Enough sockets that a dump takes more than one batch.
let accepted = 0
const server = createServer(() => accepted++)
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const port = (server.address() as { port: number }).port
const clients: Socket[] = []
for (let i = 0; i < 300; i++) clients.push(connect(port, '127.0.0.1'))
await Promise.all(clients.map((c) => new Promise((resolve) => c.once('connect', resolve))))
// Count descriptors only once the server holds its side of every connection.
while (accepted < clients.length) await new Promise((resolve) => setTimeout(resolve, 10))
t.teardown(() => {
  for (const c of clients) c.destroy()
  server.close()
})

t.test('an already aborted signal rejects at once', async (t) => {
  const before = fds()
  const controller = new AbortController()
  controller.abort()
  await t.rejects(listSockets({ signal: controller.signal }), { name: 'AbortError' })
  await t.rejects(listSockets({ signal: AbortSignal.abort(new Error('mine')) }), { message: 'mine' }, 'the reason given is the rejection')
  t.equal(fds(), before, 'no descriptor left behind')
})

t.test('aborting during the dump rejects with an AbortError and closes the netlink socket', async (t) => {
  // The bpf source's programs (options 'auto' as root) stay loaded for the process's
  // life once loaded: load them before counting.
  await listSockets({ proto: 'tcp', localPort: port })
  const before = fds()
  for (const options of [false, 'auto'] as const) {
    const controller = new AbortController()
    const listing = listSockets({ proto: 'tcp', options, signal: controller.signal })
    controller.abort()
    await t.rejects(listing, { name: 'AbortError' }, `options: ${String(options)}`)
  }
  // The in-flight native read finishes on its worker, then the cursor closes.
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(fds(), before, 'no descriptor left behind')
  const whole = await listSockets({ proto: 'tcp', options: false, localPort: port })
  t.ok(whole.length > 300, 'a listing after an aborted one works')
})

t.test('streamSockets stops with an AbortError mid-iteration', async (t) => {
  const before = fds()
  const controller = new AbortController()
  let seen = 0
  await t.rejects(
    (async () => {
      for await (const entry of streamSockets({ proto: 'tcp', options: false, signal: controller.signal })) {
        void entry
        if (++seen === 1) controller.abort()
      }
    })(),
    { name: 'AbortError' },
  )
  t.ok(seen >= 1 && seen <= 1024, `stopped within a slice (${seen} entries)`)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(fds(), before, 'the netlink socket is closed')
})

t.test('a signal that is not an AbortSignal is a TypeError', async (t) => {
  await t.rejects(listSockets({ signal: {} as never }), { name: 'TypeError', message: /signal must be an AbortSignal/ })
})

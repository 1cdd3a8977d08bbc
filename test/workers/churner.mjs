// A worker_threads body for test/workers/terminate-driver.mjs: loops over one native
// entry point (workerData.mode) until terminated, so the terminate lands before the
// library loads, while the addon initialises, inside a method call, while a dump or
// scan runs on the thread pool, or while its completion settles the promise.
// Posts 'loaded' once the library is imported and 'call' as each iteration starts.
import { parentPort, workerData } from 'node:worker_threads'

const { module, load, mode, targets } = workerData
// The library only where the mode needs it: a Worker that loads less starts sooner.
const library = mode.startsWith('list') || mode.startsWith('stream')
const { listSockets, streamSockets } = library ? await import(module) : {}
const { loadBinding } = await import(load)
const binding = loadBinding()
parentPort.postMessage('loaded')

const TCP = 6
const UDP = 17
const all = [
  { family: 2, protocol: TCP, states: 0xffffffff, extensions: 0xff },
  { family: 10, protocol: TCP, states: 0xffffffff, extensions: 0xff },
  { family: 2, protocol: UDP, states: 0xffffffff, extensions: 0 },
  { family: 10, protocol: UDP, states: 0xffffffff, extensions: 0 },
]
// One netlink datagram's worth of framing the parser rejects: an error path with a throw-free result.
const garbage = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])

/** One call of each kind. Every kind returns a promise so the loop can chain them. */
const calls = {
  'list-no-options': () => listSockets({ options: false }),
  'list-auto': () => listSockets({ options: 'auto' }).catch(() => undefined),
  'list-processes': () => listSockets({ processes: true, options: false, tcpInfo: true }),
  'list-pidfd': () => listSockets({ proto: 'tcp', processes: true, options: 'pidfd' }),
  stream: async () => {
    for await (const e of streamSockets({ options: false, tcpInfo: true })) void e
  },
  'stream-abandoned': async () => {
    // Leaves the cursor to its finalizer: the handle is dropped unclosed.
    for await (const e of streamSockets({ options: false })) {
      void e
      break
    }
  },
  dump: () => binding.dump(all),
  'dump-invalid': async () => {
    // Synchronous throws from a method callback (argument checks) and a kernel rejection.
    try {
      binding.dump([{ family: 2, protocol: TCP, states: -1, extensions: 0 }])
    } catch {}
    await binding.dump([{ family: 255, protocol: TCP, states: 1, extensions: 0 }]).catch(() => undefined)
  },
  cursor: async () => {
    const handle = binding.openDumpCursor(all)
    for (;;) {
      const batch = await binding.readDumpCursor(handle, 4096)
      if (batch.done) break
    }
    await binding.closeDumpCursor(handle)
  },
  'cursor-unclosed': async () => {
    const handle = binding.openDumpCursor(all)
    await binding.readDumpCursor(handle, 1)
    try {
      binding.readDumpCursor(handle, 1).catch(() => undefined)
      binding.readDumpCursor(handle, 1) // busy: throws synchronously
    } catch {}
  },
  scan: () => binding.scanProcFds(),
  'scan-missing-root': () => binding.scanProcFds('/nonexistent-knetstat-root').catch(() => undefined),
  sockopt: () => binding.readSocketOptions(Uint32Array.from(targets)),
  parse: async () => {
    for (let i = 0; i < 64; i++) binding.parseReplyForTest(garbage, TCP)
  },
}

const call = calls[mode]
if (call === undefined) throw new Error(`unknown mode ${mode}`)
for (;;) {
  parentPort.postMessage('call')
  // Several calls in flight at once: more completions pending when the terminate lands.
  await Promise.all([call(), call(), call()])
}

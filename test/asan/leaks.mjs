// 10,000 listings through every native path (netlink dumps with and without
// tcp_info and filters, the dump cursor of streamSockets broken off early, the
// /proc fd scan, pidfd option reads, the bpf source's socket iterators where it can
// load (root, BTF), aborted and rejected listings), then checks that the process's
// fd count did not grow: the bpf programs and links are loaded once, and each bpf
// listing opens and closes one iterator fd per protocol. Resident memory is printed at each
// checkpoint but not judged: it follows the host's socket count, which other
// processes change. Run by test/asan/run.sh
// under LeakSanitizer, which reports at exit any allocation the addon lost; it
// also runs without sanitizers: `node --expose-gc test/asan/leaks.mjs [count]`.
// Prints "ok …" / "not ok …" lines and "listings: N" at the end.
import { readdirSync } from 'node:fs'
import net from 'node:net'
import dgram from 'node:dgram'
import { setImmediate as tick } from 'node:timers/promises'
import { listSockets, streamSockets } from '../../dist/index.js'

const LISTINGS = Number(process.argv[2] ?? 10000)
const gc = globalThis.gc ?? (() => {})

/** A small population of our own sockets, with options set, so every path has work. */
async function population() {
  const server = net.createServer((s) => s.on('error', () => {}))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  const clients = []
  for (let i = 0; i < 20; i++) {
    const c = net.connect(port, '127.0.0.1')
    c.setNoDelay(true)
    c.setKeepAlive(true, 30000)
    await new Promise((resolve) => c.once('connect', resolve))
    clients.push(c)
  }
  const udp = dgram.createSocket({ type: 'udp6', reuseAddr: true })
  await new Promise((resolve) => udp.bind(0, '::1', resolve))
  return {
    port,
    close: async () => {
      for (const c of clients) c.destroy()
      udp.close()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** Whether options 'bpf' works here; if not, why (the bpf listings are left out). */
async function bpfUnavailable() {
  try {
    await listSockets({ proto: 'udp', options: 'bpf' })
    return null
  } catch (error) {
    return `${error?.code ?? ''} ${error?.message ?? error}`
  }
}
const noBpf = await bpfUnavailable()
let bpfEntries = 0

/** Entries whose options the bpf source read. */
function countBpf(entries) {
  for (const entry of entries) if (entry.optionsSource === 'bpf') bpfEntries++
  return entries.length
}

/** One listing of the kind `i` selects; returns how many entries it saw. */
async function listing(i, port) {
  const kinds = noBpf === null ? 10 : 8
  switch (i % kinds) {
    case 0:
      return (await listSockets({ options: false })).length
    case 1:
      return (await listSockets({ proto: 'tcp', tcpInfo: true, options: false })).length
    case 2:
      return (await listSockets({ proto: 'tcp', port, options: 'pidfd', processes: true })).length
    case 3:
      return (await listSockets({ proto: 'tcp', state: 'ESTABLISHED', localAddress: '127.0.0.0/8', options: false })).length
    case 4: {
      // A stream broken off after a few entries: the cursor and its socket are freed.
      let n = 0
      for await (const entry of streamSockets({ proto: 'tcp', tcpInfo: true })) {
        if (entry && ++n === 3) break
      }
      return n
    }
    case 5: {
      // Aborted in flight: rejects, and the dump's buffers and socket are freed.
      const controller = new AbortController()
      const pending = listSockets({ tcpInfo: true, options: 'pidfd', signal: controller.signal })
      controller.abort()
      try {
        await pending
      } catch (error) {
        if (error?.name !== 'AbortError') throw error
      }
      return 0
    }
    case 6:
      // A query rejected before any native call, then UDP over IPv6 with processes.
      try {
        await listSockets({ localPort: 70000 })
      } catch {}
      return (await listSockets({ proto: 'udp', family: 6, processes: true, options: 'pidfd' })).length
    case 8:
      return countBpf(await listSockets({ proto: 'tcp', port, options: 'bpf' }))
    case 9:
      // Both protocols: an iterator fd each, and the process scan beside them.
      return countBpf(await listSockets({ options: 'bpf', processes: true }))
    default:
      return (await listSockets({ proto: 'udp', options: false })).length
  }
}

function fdCount() {
  return readdirSync('/proc/self/fd').length
}

async function settle() {
  for (let i = 0; i < 4; i++) {
    gc()
    await tick()
  }
}

const sockets = await population()
let entries = 0
for (let i = 0; i < 400; i++) entries += await listing(i, sockets.port)
await settle()
const fdsBefore = fdCount()
const checkpoints = []
for (let i = 0; i < LISTINGS; i++) {
  entries += await listing(i, sockets.port)
  if ((i + 1) % 2000 === 0) {
    await settle()
    checkpoints.push({ listings: i + 1, fds: fdCount(), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) })
  }
}
await settle()
const fdsAfter = fdCount()
console.log(JSON.stringify({ entries, fdsBefore, fdsAfter, checkpoints }))

const report = (pass, what) => console.log(`${pass ? 'ok' : 'not ok'} ${what}`)
report(fdsAfter <= fdsBefore, `fd count did not grow over ${LISTINGS} listings (${fdsBefore} -> ${fdsAfter})`)
report(entries > LISTINGS, `listings returned entries (${entries})`)
if (noBpf === null) report(bpfEntries > LISTINGS / 10, `bpf listings read options (${bpfEntries} entries from the bpf source)`)
else console.log(`# bpf listings left out: options 'bpf' is unavailable here (${noBpf})`)

await sockets.close()
await settle()
console.log(`listings: ${LISTINGS}`)

// One contender in a fresh Node process, measured from inside: warm-up runs, then
// a timed run with the largest event-loop delay during it (monitorEventLoopDelay,
// 1 ms resolution) and the process's peak RSS (warm-up included).
//
// argv[2]: JSON { kind?: 'list' | 'stream' | 'check' | 'procnet' | 'systeminformation' | 'node-netstat' | 'busy', query?, warm? }
// ('check': query is a checkSockets check)
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { checkSockets, listSockets, streamSockets } from '../dist/index.js'

const require = createRequire(import.meta.url)
// warm: how many warm-up runs (true: 1, false: 0).
const { kind = 'list', query, warm = true } = JSON.parse(process.argv[2] ?? '{}')
const warmups = warm === true ? 1 : warm === false ? 0 : Number(warm)

const STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING']

/** /proc/net/tcp{,6} read and parsed into objects: what a JS library without netlink does. */
async function procNet() {
  const out = []
  for (const [file, family] of [['/proc/net/tcp', 4], ['/proc/net/tcp6', 6]]) {
    const text = await readFile(file, 'latin1')
    let at = text.indexOf('\n') + 1
    while (at < text.length) {
      let end = text.indexOf('\n', at)
      if (end === -1) end = text.length
      const f = text.slice(at, end).trim().split(/\s+/)
      at = end + 1
      if (f.length < 10) continue
      const [local, remote] = [f[1], f[2]].map((hexAddress) => {
        const [hex, port] = hexAddress.split(':')
        let address
        if (family === 4) {
          const n = parseInt(hex, 16)
          address = `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${n >>> 24}`
        } else {
          address = hex.match(/.{8}/g).map((w) => w.match(/../g).reverse().join('')).join('').match(/.{4}/g).join(':')
        }
        return { address, port: parseInt(port, 16) }
      })
      const [tx, rx] = f[4].split(':').map((h) => parseInt(h, 16))
      out.push({ family, local, remote, state: STATES[parseInt(f[3], 16)] ?? 'UNKNOWN', sendQ: tx, recvQ: rx, uid: Number(f[7]), inode: Number(f[9]) })
    }
  }
  return out
}

function nodeNetstat() {
  const netstat = require('node-netstat')
  return new Promise((resolve, reject) => {
    const rows = []
    netstat({ filter: { protocol: 'tcp' }, done: (error) => (error ? reject(error) : resolve(rows)) }, (row) => {
      rows.push(row)
    })
  })
}

async function run() {
  switch (kind) {
    case 'list':
      return (await listSockets(query)).length
    case 'stream': {
      let n = 0
      for await (const entry of streamSockets(query)) if (entry) n++
      return n
    }
    case 'check': {
      const result = await checkSockets(query)
      return result.listeners.length + result.connections.length
    }
    case 'procnet':
      return (await procNet()).length
    case 'systeminformation':
      return (await require('systeminformation').networkConnections()).filter((c) => c.protocol.startsWith('tcp')).length
    case 'node-netstat':
      return (await nodeNetstat()).length
    case 'busy': {
      // The scheduler's floor for event-loop delay: a process as busy as a listing
      // (0.5 ms of work, then a turn of the loop) for `query.ms`. On a machine whose
      // cores are all taken, its delays are the time slices other processes get.
      const end = performance.now() + (query?.ms ?? 500)
      let turns = 0
      while (performance.now() < end) {
        const until = performance.now() + 0.5
        while (performance.now() < until);
        await new Promise((resolve) => setImmediate(resolve))
        turns++
      }
      return turns
    }
    default:
      throw new Error(`unknown kind ${kind}`)
  }
}

for (let i = 0; i < warmups; i++) await run()
const eld = monitorEventLoopDelay({ resolution: 1 })
eld.enable()
const start = process.hrtime.bigint()
const count = await run()
const ms = Number(process.hrtime.bigint() - start) / 1e6
eld.disable()
process.stdout.write(JSON.stringify({ ms, count, eldMaxMs: eld.max / 1e6, maxRssMB: process.resourceUsage().maxRSS / 1024 }))

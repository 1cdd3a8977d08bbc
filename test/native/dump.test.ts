// The real dump against the running kernel, through the addon's dump cursor and the
// listing's EntryDecoder: sockets this process opens must show up with the right
// state, ports, inode, uid and netlink details; requests go in order; the kernel's
// errors and malformed requests are reported as documented.
import { readdirSync, readlinkSync } from 'node:fs'
import * as dgram from 'node:dgram'
import * as net from 'node:net'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import t from 'tap'
import type { DumpRequest, NativeSystemError } from '../../types/binding.js'
import type { SocketEntry } from '../../src/model.js'
import { PACKAGE_ROOT, loadBinding } from '../../src/native/load.js'
import { ALL_STATES, extensionBit, INET_DIAG, PRESENT, R, stateMask } from '../../src/sources/netlink/index.js'
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, TCP_STATE } from '../../src/util/linux.js'
import { decodeEntries, dumpEntries, readDump } from './fixtures/dump.js'

const native = loadBinding()
const uid = process.getuid?.() ?? 0

const TCP_EXTENSIONS =
  extensionBit(INET_DIAG.INFO) |
  extensionBit(INET_DIAG.CONG) |
  extensionBit(INET_DIAG.TOS) |
  extensionBit(INET_DIAG.TCLASS) |
  extensionBit(INET_DIAG.SKMEMINFO)

const request = (family: number, protocol: number, states = ALL_STATES, extensions = TCP_EXTENSIONS): DumpRequest => ({
  family,
  protocol,
  states,
  extensions,
})

const everything = [
  request(AF_INET, IPPROTO_TCP),
  request(AF_INET6, IPPROTO_TCP),
  request(AF_INET, IPPROTO_UDP),
  request(AF_INET6, IPPROTO_UDP),
]

/** The inode behind a descriptor, from its /proc/self/fd link `socket:[inode]`. */
function inodeOfFd(fd: number): number {
  const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
  if (!match) throw new Error(`fd ${fd} is not a socket`)
  return Number(match[1])
}

function socketInodesOfThisProcess(): Set<number> {
  const inodes = new Set<number>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (match) inodes.add(Number(match[1]))
    } catch {
      // the fd closed while we looked
    }
  }
  return inodes
}

/** libuv's descriptor of a net handle (Linux exposes `fd` on TCP handles). */
function fdOf(socket: net.Socket | net.Server): number {
  const handle = (socket as unknown as { _handle: { fd: number } | null })._handle
  if (!handle || typeof handle.fd !== 'number' || handle.fd < 0) throw new Error('no fd on this handle')
  return handle.fd
}

interface Pair {
  server: net.Server
  client: net.Socket
  accepted: net.Socket
  port: number
  clientPort: number
}

async function openPair(host: string): Promise<Pair> {
  const server = net.createServer()
  server.listen(0, host)
  await once(server, 'listening')
  const port = (server.address() as net.AddressInfo).port
  const acceptedPromise = once(server, 'connection')
  const client = net.connect(port, host)
  await once(client, 'connect')
  const [accepted] = (await acceptedPromise) as [net.Socket]
  return { server, client, accepted, port, clientPort: client.localPort as number }
}

function closePair(pair: Pair): void {
  pair.client.destroy()
  pair.accepted.destroy()
  pair.server.close()
}

interface Where {
  proto?: 'tcp' | 'udp'
  family?: 4 | 6
  state?: SocketEntry['state']
  localAddress?: string
  localPort?: number
  remotePort?: number
}
const find = (entries: SocketEntry[], where: Where): SocketEntry[] =>
  entries.filter(
    (e) =>
      (where.proto === undefined || e.proto === where.proto) &&
      (where.family === undefined || e.family === where.family) &&
      (where.state === undefined || e.state === where.state) &&
      (where.localAddress === undefined || e.local.address === where.localAddress) &&
      (where.localPort === undefined || e.local.port === where.localPort) &&
      (where.remotePort === undefined || e.remote.port === where.remotePort),
  )

/** The `present` bits of the record of the first socket of `protocol` bound to `localPort`. */
function presentBits(records: Buffer, protocol: number, localPort: number): number {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength)
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
  for (let at = 0; at < records.byteLength; at += view.getUint32(at + R.size, le)) {
    if (records[at + R.protocol] === protocol && view.getUint16(at + R.localPort, le) === localPort) return view.getUint16(at + R.present, le)
  }
  throw new Error(`no record of protocol ${protocol} port ${localPort}`)
}

t.test('a dump finds this process\'s TCP and UDP sockets on 127.0.0.1 and ::1', async (t) => {
  const pair4 = await openPair('127.0.0.1')
  const pair6 = await openPair('::1')
  const udp4 = dgram.createSocket('udp4')
  udp4.bind(0, '127.0.0.1')
  await once(udp4, 'listening')
  const udp6 = dgram.createSocket({ type: 'udp6', ipv6Only: true })
  udp6.bind(0, '::1')
  await once(udp6, 'listening')
  t.teardown(() => {
    closePair(pair4)
    closePair(pair6)
    udp4.close()
    udp6.close()
  })

  const { records } = await readDump(everything)
  const sockets = decodeEntries(records)
  const ours = socketInodesOfThisProcess()

  for (const [family, address, pair] of [
    [4, '127.0.0.1', pair4],
    [6, '::1', pair6],
  ] as const) {
    const listeners = find(sockets, { proto: 'tcp', family, localAddress: address, localPort: pair.port, state: 'LISTEN' })
    t.equal(listeners.length, 1, `IPv${family} listener`)
    const listener = listeners[0] as SocketEntry
    t.equal(listener.inode, inodeOfFd(fdOf(pair.server)), `IPv${family} listener inode matches its fd`)
    t.equal(listener.uid, uid)
    t.equal(listener.remote.port, 0)
    t.equal(listener.remote.address, family === 4 ? '0.0.0.0' : '::')
    t.ok((listener.backlog ?? 0) > 0, 'the max backlog the kernel sends as LISTEN send-q')
    t.equal(listener.sendQ, 0, 'and send-q 0, as /proc/net/tcp has it')
    if (family === 6) t.type(listener.netlink?.v6only, 'boolean', 'SKV6ONLY comes with IPv6 listeners')

    const client = find(sockets, { proto: 'tcp', family, localPort: pair.clientPort, remotePort: pair.port })
    t.equal(client.length, 1, `IPv${family} client side`)
    t.equal(client[0]?.state, 'ESTABLISHED')
    t.equal(client[0]?.inode, inodeOfFd(fdOf(pair.client)))
    t.equal(client[0]?.remote.address, address)

    const accepted = find(sockets, { proto: 'tcp', family, localPort: pair.port, remotePort: pair.clientPort })
    t.equal(accepted.length, 1, `IPv${family} accepted side`)
    t.equal(accepted[0]?.state, 'ESTABLISHED')
    t.equal(accepted[0]?.inode, inodeOfFd(fdOf(pair.accepted)))
    t.equal(accepted[0]?.uid, uid)

    const established = accepted[0] as SocketEntry
    t.ok(established.tcpInfo, 'tcp_info was requested')
    t.equal(established.tcpInfo?.state, TCP_STATE.ESTABLISHED)
    t.ok((established.tcpInfo?.sndWnd ?? 0) > 0, 'this kernel (≥ 5.4) reports snd_wnd')
    t.same(established.diag, { sendWindowZero: false, receiveWindowZero: false, ackStalled: false }, 'diag flags from its tcp_info')
    const details = established.netlink
    t.type(details?.congestion, 'string')
    t.ok((details?.congestion ?? '').length > 0, 'a congestion control name')
    t.ok(details?.memInfo, 'SKMEMINFO was requested')
    t.same(details?.shutdown, { read: false, write: false })
    t.ok(details?.sockopt?.isIcsk, 'INET_DIAG_SOCKOPT: TCP is connection-oriented')
    t.match(details?.cookie, /^[1-9][0-9]*$/, 'a cookie, not 0')
    if (family === 4) t.equal(details?.tos, 0)
    else t.equal(details?.tclass, 0)
  }

  for (const [family, address, socket] of [
    [4, '127.0.0.1', udp4],
    [6, '::1', udp6],
  ] as const) {
    const port = socket.address().port
    const found = find(sockets, { proto: 'udp', family, localAddress: address, localPort: port })
    t.equal(found.length, 1, `UDP/IPv${family} socket`)
    t.equal(found[0]?.state, 'CLOSE', 'an unconnected UDP socket is CLOSE')
    t.ok(ours.has(found[0]?.inode ?? -1), 'its inode is one of this process\'s descriptors')
    t.equal(found[0]?.uid, uid)
    t.equal(found[0]?.tcpInfo, undefined, 'a UDP entry has no tcpInfo')
    t.equal(presentBits(records, IPPROTO_UDP, port) & PRESENT.tcpInfo, 0, 'UDP has no tcp_info, though INFO was asked for')
    if (family === 6) t.equal(found[0]?.netlink?.v6only, true)
  }
})

t.test('a state mask limits the dump to those states', async (t) => {
  const pair = await openPair('127.0.0.1')
  t.teardown(() => closePair(pair))
  // The decoder keeps every state: what comes back is what the kernel's mask let through.
  const listening = await dumpEntries([request(AF_INET, IPPROTO_TCP, stateMask([TCP_STATE.LISTEN]), 0)])
  t.ok(listening.length >= 1)
  t.ok(listening.every((s) => s.state === 'LISTEN'), 'only LISTEN sockets')
  t.equal(find(listening, { localPort: pair.port }).length, 1, 'our listener is there')
  t.equal(find(listening, { localPort: pair.clientPort }).length, 0, 'our established client is not')
  t.ok(
    listening.every((s) => s.tcpInfo === null && s.netlink?.congestion === null && s.netlink?.memInfo === null),
    'no extensions asked, none sent',
  )
})

t.test('records keep the request order and cookies are stable across dumps', async (t) => {
  const pair = await openPair('127.0.0.1')
  const pair6 = await openPair('::1')
  const udp4 = dgram.createSocket('udp4')
  udp4.bind(0, '127.0.0.1')
  await once(udp4, 'listening')
  const udp6 = dgram.createSocket('udp6')
  udp6.bind(0, '::1')
  await once(udp6, 'listening')
  t.teardown(() => {
    closePair(pair)
    closePair(pair6)
    udp4.close()
    udp6.close()
  })
  const [first, second] = await Promise.all([dumpEntries(everything), dumpEntries(everything)])
  const cookieOf = (entries: SocketEntry[]) => find(entries, { proto: 'tcp', localPort: pair.clientPort })[0]?.netlink?.cookie
  t.type(cookieOf(first), 'string')
  t.equal(cookieOf(first), cookieOf(second))
  const order = first.map((s) => `${s.proto}${s.family}`)
  const firstIndex = (key: string) => order.indexOf(key)
  const tables = ['tcp4', 'tcp6', 'udp4', 'udp6']
  t.ok(tables.every((k) => firstIndex(k) >= 0), 'every table has sockets (this test opened one in each)')
  t.same(tables.map(firstIndex), [...tables.map(firstIndex)].sort((a, b) => a - b), 'tcp4, tcp6, udp4, udp6 in order')
  const changes = order.filter((k, i) => i > 0 && order[i - 1] !== k).length
  t.equal(changes, 3, 'each table in one run')
  t.equal((await readDump([])).records.length, 0, 'no requests: no records')
})

t.test('kernel errors reject with code, negative errno and syscall', async (t) => {
  const noHandler = readDump([request(3, IPPROTO_TCP)])
  await t.rejects(noHandler, { code: 'ENOENT', errno: -2, syscall: 'recvmsg', message: /modprobe inet_diag tcp_diag udp_diag/ })
  const noProtocol = readDump([request(AF_INET, 99)])
  await t.rejects(noProtocol, { code: 'ENOENT', errno: -2, syscall: 'recvmsg', message: /protocol 99\/IPv4/ })
  const badFamily = readDump([request(200, IPPROTO_TCP)])
  await t.rejects(badFamily, { code: 'EINVAL', errno: -22, syscall: 'recvmsg' })
  const error = (await readDump([request(3, IPPROTO_UDP)]).catch((e: unknown) => e)) as NativeSystemError
  t.ok(error instanceof Error, 'a real Error')
  t.match(error.message, /^netlink sock_diag recvmsg failed dumping UDP\/family 3 sockets: /)
})

t.test('a failing request fails the dump, after the records of those before it', async (t) => {
  const handle = native.openDumpCursor([request(AF_INET, IPPROTO_TCP, stateMask([TCP_STATE.LISTEN]), 0), request(3, IPPROTO_TCP)])
  const pair = await openPair('127.0.0.1')
  t.teardown(() => closePair(pair))
  const first = await native.readDumpCursor(handle, 1)
  t.ok(first.records.length > 0 && !first.done, 'the first request\'s records')
  await t.rejects(
    (async () => {
      for (;;) if ((await native.readDumpCursor(handle, 1 << 20)).done) return
    })(),
    { code: 'ENOENT' },
    'then the second request\'s failure',
  )
  await t.rejects(readDump([request(AF_INET, IPPROTO_TCP), request(3, IPPROTO_TCP)]), { code: 'ENOENT' }, 'read in one go: rejected')
})

t.test('malformed requests throw synchronously', (t) => {
  const dump = native.openDumpCursor as (requests: unknown) => unknown
  t.throws(() => dump('tcp'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => dump([null]), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => dump([{ family: 2, protocol: 6, states: 1 }]), { name: 'TypeError', message: /requests\[0\]\.extensions/ })
  t.throws(() => dump([{ family: 256, protocol: 6, states: 1, extensions: 0 }]), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })
  t.throws(() => dump([{ family: 2, protocol: 6, states: -1, extensions: 0 }]), { name: 'RangeError' })
  t.throws(() => dump([{ family: 2.5, protocol: 6, states: 1, extensions: 0 }]), { name: 'RangeError' })
  t.throws(() => dump([{ family: 2, protocol: 6, states: 1, extensions: 0, bytecode: 'x' }]), { name: 'TypeError', message: /bytecode/ })
  t.throws(() => dump(new Array(65).fill(request(AF_INET, IPPROTO_TCP))), { name: 'RangeError' })
  t.end()
})

t.test('a bytecode filter reaches the kernel (an invalid program is EINVAL)', async (t) => {
  // One INET_DIAG_BC_JMP op whose target lies beyond the program: the kernel's audit rejects it.
  const bogus = Uint8Array.of(1, 4, 200, 0)
  await t.rejects(readDump([{ ...request(AF_INET, IPPROTO_TCP), bytecode: bogus }]), { code: 'EINVAL', errno: -22 })
})

t.test('the addon works in worker threads alongside the main thread', async (t) => {
  const script = `
    const { parentPort, workerData } = require('node:worker_threads')
    const binding = require('node-gyp-build')(workerData.root)
    const handle = binding.openDumpCursor([{ family: 2, protocol: 6, states: 1 << 10, extensions: 0 }])
    const read = async (bytes) => {
      const batch = await binding.readDumpCursor(handle, 4096)
      return batch.done ? bytes + batch.records.length : read(bytes + batch.records.length)
    }
    read(0)
      .then((bytes) => parentPort.postMessage({ ok: true, bytes }))
      .catch((e) => parentPort.postMessage({ ok: false, code: e.code }))
  `
  const pair = await openPair('127.0.0.1')
  t.teardown(() => closePair(pair))
  const workers = [0, 1].map(() => new Worker(script, { eval: true, workerData: { root: PACKAGE_ROOT } }))
  const [results, main] = await Promise.all([
    Promise.all(workers.map(async (w) => (await once(w, 'message'))[0] as { ok: boolean; bytes: number })),
    readDump([request(AF_INET, IPPROTO_TCP, ALL_STATES, 0)], 4096),
  ])
  for (const result of results) t.match(result, { ok: true }, 'the worker dumped')
  for (const result of results) t.ok(result.bytes > 0, 'records of the listeners, this test\'s among them')
  t.ok(main.records.length > 0, 'the main thread dumped alongside')
  await Promise.all(workers.map((w) => w.terminate()))
})

// In the arm64 guest (test/arm64/guest/init), as root, from /pkg (the built
// package with prebuilds/): real TCP and UDP sockets with options set, listed by
// the library through the linux-arm64 glibc prebuild. Prints "ARM64 ok NAME" /
// "ARM64 not ok NAME: WHY" and "ARM64-COUNT PASS FAIL".
import { createSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { once } from 'node:events'
import { listSockets } from './dist/index.js'
import { addonPath, hostLibc, loadBinding, PACKAGE_ROOT } from './dist/native/load.js'

let pass = 0
let fail = 0
function result(ok, name, why) {
  if (ok) pass++
  else fail++
  console.log(ok ? `ARM64 ok ${name}` : `ARM64 not ok ${name}: ${why}`)
}
const show = (v) => JSON.stringify(v)

result(process.arch === 'arm64', 'node-is-arm64', process.arch)
result(hostLibc() === 'glibc', 'libc-detected-glibc', hostLibc())
const path = addonPath(PACKAGE_ROOT)
result(path?.endsWith('/prebuilds/linux-arm64/knetstat.glibc.node') === true, 'loader-picks-arm64-glibc-prebuild', path)
let binding
try {
  binding = loadBinding()
  result(true, 'prebuild-loads')
} catch (error) {
  result(false, 'prebuild-loads', error.message)
}
console.log(`ARM64-INFO sourceHash ${binding?.sourceHash} btf ${existsSync('/sys/kernel/btf/vmlinux')}`)

// The sockets: a listener (libuv sets SO_REUSEADDR), a client with keepalive and
// nodelay, its accepted peer, a UDP socket with broadcast and a receive buffer.
const server = createServer()
server.listen(7201, '127.0.0.1')
await once(server, 'listening')
const accepted = once(server, 'connection')
const client = connect(7201, '127.0.0.1')
await once(client, 'connect')
client.setKeepAlive(true, 7000)
client.setNoDelay(true)
const [peer] = await accepted
const udp = createSocket({ type: 'udp4', reuseAddr: true })
udp.bind(7202, '127.0.0.1')
await once(udp, 'listening')
udp.setBroadcast(true)
const clientPort = client.localPort

function checkListing(list, source) {
  const listener = list.find((e) => e.proto === 'tcp' && e.state === 'LISTEN' && e.local.port === 7201)
  const cl = list.find((e) => e.proto === 'tcp' && e.state === 'ESTABLISHED' && e.local.port === clientPort && e.remote.port === 7201)
  const pe = list.find((e) => e.proto === 'tcp' && e.state === 'ESTABLISHED' && e.local.port === 7201 && e.remote.port === clientPort)
  const u = list.find((e) => e.proto === 'udp' && e.local.port === 7202)
  result(listener !== undefined && cl !== undefined && pe !== undefined && u !== undefined, `${source}-lists-the-four-sockets`,
    show({ listener: !!listener, client: !!cl, peer: !!pe, udp: !!u, total: list.length }))
  result(listener?.local.address === '127.0.0.1' && listener?.family === 4, `${source}-listener-address`, show(listener?.local))
  result(cl?.processes?.some((p) => p.pid === process.pid) === true, `${source}-client-held-by-this-process`, show(cl?.processes))
  result(listener?.optionsSource === source && listener?.options?.SO_REUSEADDR === true, `${source}-listener-SO_REUSEADDR`,
    show([listener?.optionsSource, listener?.options, listener?.optionsError]))
  result(cl?.optionsSource === source && cl?.options?.SO_KEEPALIVE === true && cl?.options?.TCP_NODELAY === true && cl?.options?.TCP_KEEPIDLE === 7,
    `${source}-client-SO_KEEPALIVE-TCP_NODELAY-TCP_KEEPIDLE`, show([cl?.optionsSource, cl?.options, cl?.optionsError]))
  // The accepted peer: neither option set (Node leaves an accepted socket's nodelay
  // off), SO_REUSEADDR inherited from the listener.
  result(pe?.optionsSource === source && pe?.options?.SO_KEEPALIVE === false && pe?.options?.TCP_NODELAY === false && pe?.options?.SO_REUSEADDR === true,
    `${source}-peer-options`, show([pe?.optionsSource, pe?.options, pe?.optionsError]))
  result(u?.optionsSource === source && u?.options?.SO_BROADCAST === true && u?.options?.SO_REUSEADDR === true,
    `${source}-udp-SO_BROADCAST-SO_REUSEADDR`, show([u?.optionsSource, u?.options, u?.optionsError]))
}

const t0 = Date.now()
try {
  const plain = await listSockets({ options: false })
  result(plain.some((e) => e.local.port === 7201), 'netlink-dump-lists-the-listener', `${plain.length} entries`)
  checkListing(await listSockets({ options: 'pidfd', processes: true }), 'pidfd')
} catch (error) {
  result(false, 'pidfd-listing', error.stack)
}
if (existsSync('/sys/kernel/btf/vmlinux')) {
  try {
    checkListing(await listSockets({ options: 'bpf', processes: true }), 'bpf')
  } catch (error) {
    result(false, 'bpf-listing', error.stack)
  }
} else {
  console.log('ARM64-INFO no /sys/kernel/btf/vmlinux: the bpf source is not checked')
}
console.log(`ARM64-INFO listings took ${Date.now() - t0} ms`)
client.destroy()
peer.destroy()
udp.close()
server.close()
console.log(`ARM64-COUNT ${pass} ${fail}`)

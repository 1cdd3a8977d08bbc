// Makes sockets with Node's own APIs (net, dgram, http), prints one JSON line
// { pid, sockets: { label: { proto, local, remote } } } and holds them until stdin closes.
// docs/node-sockets.md says what knetstat reports for each; test/pidfd/node-sockets.test.ts checks it.
import dgram from 'node:dgram'
import http from 'node:http'
import net from 'node:net'
import { once } from 'node:events'

const sockets = {}
const held = []
const addr = (s) => ({ address: s.address().address, port: s.address().port })
const tcp = (label, socket) => {
  held.push(socket)
  sockets[label] = { proto: 'tcp', local: socket.localPort, remote: socket.remotePort }
}

async function listen(label, options, server = net.createServer()) {
  server.listen(options)
  await once(server, 'listening')
  held.push(server)
  sockets[label] = { proto: 'tcp', local: addr(server).port, remote: 0 }
  return server
}

async function connect(server, configure) {
  const accepted = once(server, 'connection')
  const client = net.connect({ host: '127.0.0.1', port: server.address().port })
  await once(client, 'connect')
  configure?.(client)
  const [serverSide] = await accepted
  return [client, serverSide]
}

// net: one listener, one client per socket method.
const server = await listen('net.listen', { host: '127.0.0.1', port: 0, backlog: 7 })
const cases = {
  'net.default': undefined,
  'net.setNoDelay': (s) => s.setNoDelay(true),
  'net.setNoDelay.false': (s) => s.setNoDelay(false),
  'net.setKeepAlive.30s': (s) => s.setKeepAlive(true, 30_000),
  'net.setKeepAlive.default': (s) => s.setKeepAlive(true),
  'net.setKeepAlive.off': (s) => s.setKeepAlive(false, 30_000),
  'net.setTimeout': (s) => s.setTimeout(5_000),
}
for (const [label, configure] of Object.entries(cases)) {
  const [client, accepted] = await connect(server, configure)
  tcp(label, client)
  if (label === 'net.default') tcp('net.accepted', accepted)
  else held.push(accepted)
}

// server.listen options.
await listen('listen.v6only', { host: '::', port: 0, ipv6Only: true })
await listen('listen.dualstack', { host: '::', port: 0 })
// net.createServer's own socket options for accepted connections.
const tuned = await listen('createServer.tuned', { host: '127.0.0.1', port: 0 }, net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 20_000 }))
{
  const [client, accepted] = await connect(tuned)
  held.push(client)
  tcp('createServer.tuned.accepted', accepted)
}
// http: what an HTTP server does to the connections it accepts.
const web = await listen('http.listen', { host: '127.0.0.1', port: 0 }, http.createServer((req, res) => res.end('ok')))
{
  const [client, accepted] = await connect(web)
  held.push(client)
  tcp('http.accepted', accepted)
}

// dgram.
async function udp(label, options, configure, address = options.type === 'udp6' ? '::1' : '127.0.0.1') {
  const socket = dgram.createSocket(options)
  socket.bind(0, address)
  await once(socket, 'listening')
  configure?.(socket)
  held.push(socket)
  sockets[label] = { proto: 'udp', local: socket.address().port, remote: 0 }
}
await udp('dgram.default', { type: 'udp4' })
await udp('dgram.options', { type: 'udp4', reuseAddr: true, recvBufferSize: 65536, sendBufferSize: 32768 })
await udp('dgram.setBroadcast', { type: 'udp4' }, (s) => s.setBroadcast(true))
await udp('dgram.setBufferSize', { type: 'udp6' }, (s) => {
  s.setRecvBufferSize(40000)
  s.setSendBufferSize(20000)
})
// Bound to the wildcard: bound to a specific IPv6 address, the kernel makes any socket v6-only.
await udp('dgram.ipv6Only', { type: 'udp6', ipv6Only: true }, undefined, '::')
await udp('dgram.udp6.any', { type: 'udp6' }, undefined, '::')

process.stdout.write(JSON.stringify({ pid: process.pid, sockets }) + '\n')
process.stdin.resume()
process.stdin.on('end', () => process.exit(0))

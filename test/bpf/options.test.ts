// The bpf source against real sockets: a child sets every option knetstat reads, and
// the BPF program must read each as pidfd's getsockopt does; where pidfd cannot know
// (buffers the kernel autotuned, a socket no process holds) the BPF source is exact.
// Needs root (CAP_BPF + CAP_PERFMON) and a kernel with BTF and socket iterators.
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import t from 'tap'
import { listSockets, type SocketEntry, type SocketOptionName } from '../../src/index.js'
import { holdOptions, socketOf, type Holder } from '../helpers/sockopt-holder.js'

const setHolder = await holdOptions('options')
const plainHolder = await holdOptions('plain')
t.teardown(async () => {
  await setHolder.close()
  await plainHolder.close()
})

const [bpf, pidfd] = [await listSockets({ options: 'bpf' }), await listSockets({ options: 'pidfd' })]
const byInode = (list: SocketEntry[], inode: number): SocketEntry => {
  const e = list.find((x) => x.inode === inode)
  if (e === undefined) throw new Error(`inode ${inode} is not listed`)
  return e
}

t.test('every option pidfd reads, the bpf source reads the same', async (t) => {
  for (const held of [...setHolder.info.sockets, ...plainHolder.info.sockets]) {
    const b = byInode(bpf, held.inode)
    const p = byInode(pidfd, held.inode)
    t.equal(b.optionsSource, 'bpf', `${held.label}: from bpf`)
    t.equal(p.optionsSource, 'pidfd', `${held.label}: from pidfd`)
    // pidfd reports only what it can decide (the rest is in optionsUndecidable).
    for (const [name, value] of Object.entries(p.options ?? {})) t.same(b.options?.[name as SocketOptionName], value, `${held.label}: ${name}`)
    t.equal(b.optionsUndecidable, undefined, `${held.label}: bpf decides every option`)
  }
})

t.test('sockets set nothing on: no buffer is reported, autotuned or not', async (t) => {
  for (const held of plainHolder.info.sockets) {
    const options = byInode(bpf, held.inode).options ?? {}
    t.notOk('SO_RCVBUF' in options || 'SO_SNDBUF' in options, `${held.label}: ${JSON.stringify(options)}`)
  }
  const established = plainHolder.info.sockets.filter((s) => byInode(bpf, s.inode).state === 'ESTABLISHED')
  t.ok(established.length > 0, 'the plain holder has established connections')
})

t.test('a buffer set to exactly half the default is reported', async (t) => {
  const rmemDefault = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8'))
  const wanted = Math.floor(rmemDefault / 2)
  const udp = createSocket('udp4')
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve))
  t.teardown(() => udp.close())
  udp.setRecvBufferSize(wanted)
  const port = udp.address().port
  const entry = (await listSockets({ proto: 'udp', options: 'bpf' })).find((e) => e.local.port === port)
  t.equal(entry?.options?.SO_RCVBUF, wanted, `SO_RCVBUF=${wanted} with rmem_default ${rmemDefault}`)
  t.notOk(entry !== undefined && 'SO_SNDBUF' in (entry.options ?? {}), 'SO_SNDBUF was not set')
})

t.test('a connection no process holds yet (in the accept queue) has its options', async (t) => {
  // A Python listener that never accepts, with TCP_NODELAY and keepalive set: the
  // child socket in its accept queue inherits them, and has no file for pidfd.
  const script = [
    'import socket, sys, time',
    's = socket.socket()',
    's.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)',
    's.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)',
    's.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 123)',
    "s.bind(('127.0.0.1', 0)); s.listen(8)",
    'print(s.getsockname()[1], flush=True)',
    'time.sleep(60)',
  ].join('\n')
  const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => child.kill())
  const port = Number(await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString()))))
  const client = connect(port, '127.0.0.1')
  t.teardown(() => client.destroy())
  await new Promise((resolve) => client.once('connect', resolve))
  // Its own 4-tuple: other tests' sockets may use the same port numbers on other addresses.
  const find = (list: SocketEntry[]) =>
    list.find((e) => e.state === 'ESTABLISHED' && e.local.address === '127.0.0.1' && e.local.port === port && e.remote.port === client.localPort)
  const queued = find(await listSockets({ proto: 'tcp', options: 'bpf' }))
  t.equal(queued?.inode, null, 'the queued connection has no file')
  t.equal(queued?.optionsSource, 'bpf')
  t.equal(queued?.options?.TCP_NODELAY, true, 'inherited TCP_NODELAY')
  t.equal(queued?.options?.TCP_KEEPIDLE, 123, 'inherited TCP_KEEPIDLE')
  const viaPidfd = find(await listSockets({ proto: 'tcp', options: 'pidfd' }))
  t.equal(viaPidfd?.options, null, 'pidfd cannot read it')
  const viaAuto = find(await listSockets({ proto: 'tcp' }))
  t.equal(viaAuto?.optionsSource, 'bpf', "'auto' takes the bpf source as root")
})

t.test('TIME_WAIT and request sockets have no options from bpf', async (t) => {
  const tw = bpf.filter((e) => e.state === 'TIME_WAIT')
  for (const e of tw) t.equal(e.optionsError?.code, 'ENOENT')
  t.pass(`${tw.length} TIME_WAIT entries checked`)
})

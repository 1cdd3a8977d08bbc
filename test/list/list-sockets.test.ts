// listSockets against the real kernel: sockets in known states, held by a child
// process, must be reported with the right state, endpoints, uid, inode and queues,
// and agree with /proc/net/{tcp,tcp6,udp,udp6} read in the same test.
import t0, { test } from 'tap'
import { listSockets, TCP_STATES, type SocketEntry, type TcpState } from '../../src/index.js'
import { readAllProcNet, type ProcSocket } from '../helpers/proc-net.js'
import { openZoo, zooSocket, type ZooSocket } from '../helpers/socket-zoo.js'

const zoo = await openZoo()
const { uid } = zoo.info
const entries = await listSockets({ options: false })
const proc = readAllProcNet()
t0.teardown(() => zoo.close())

const sock = (label: string): ZooSocket => zooSocket(zoo.info, label)

/** The listed entry of a zoo socket: by inode, or by endpoints for TIME_WAIT. */
function find(list: readonly SocketEntry[], s: ZooSocket): SocketEntry | undefined {
  if (s.inode !== 0) return list.find((e) => e.inode === s.inode)
  return list.find(
    (e) => e.state === 'TIME_WAIT' && e.local.port === s.local[1] && e.remote.port === s.remote[1] && e.local.address === s.local[0],
  )
}

const expected: [label: string, proto: 'tcp' | 'udp', family: 4 | 6, state: TcpState][] = [
  ['tcp4.listen', 'tcp', 4, 'LISTEN'],
  ['tcp6.listen', 'tcp', 6, 'LISTEN'],
  ['tcp6.dual.listen', 'tcp', 6, 'LISTEN'],
  ['tcp4.est.client', 'tcp', 4, 'ESTABLISHED'],
  ['tcp4.est.server', 'tcp', 4, 'ESTABLISHED'],
  ['tcp6.est.client', 'tcp', 6, 'ESTABLISHED'],
  ['tcp6.est.server', 'tcp', 6, 'ESTABLISHED'],
  ['tcp6.mapped.client', 'tcp', 4, 'ESTABLISHED'],
  ['tcp6.mapped.server', 'tcp', 6, 'ESTABLISHED'],
  ['tcp4.sendq.writer', 'tcp', 4, 'ESTABLISHED'],
  ['tcp4.sendq.reader', 'tcp', 4, 'ESTABLISHED'],
  ['tcp4.half.client', 'tcp', 4, 'FIN_WAIT2'],
  ['tcp4.half.server', 'tcp', 4, 'CLOSE_WAIT'],
  ['tcp4.timewait', 'tcp', 4, 'TIME_WAIT'],
  ['tcp4.full.listen', 'tcp', 4, 'LISTEN'],
  ['tcp4.synsent', 'tcp', 4, 'SYN_SENT'],
  ['udp4.bound', 'udp', 4, 'CLOSE'],
  ['udp4.connected', 'udp', 4, 'ESTABLISHED'],
  ['udp6.bound', 'udp', 6, 'CLOSE'],
  ['udp6.connected', 'udp', 6, 'ESTABLISHED'],
]

test('every socket of the zoo is listed with its state, endpoints, uid and inode', async (t) => {
  for (const [label, proto, family, state] of expected) {
    const s = sock(label)
    const e = find(entries, s)
    if (e === undefined) {
      t.fail(`${label} is listed`)
      continue
    }
    t.equal(e.proto, proto, `${label} proto`)
    t.equal(e.family, family, `${label} family`)
    t.equal(e.state, state, `${label} state`)
    t.same(e.local, { address: s.local[0], port: s.local[1] }, `${label} local`)
    t.same(e.remote, { address: s.remote[0] === '' ? (family === 4 ? '0.0.0.0' : '::') : s.remote[0], port: s.remote[1] }, `${label} remote`)
    if (state === 'TIME_WAIT') {
      t.equal(e.inode, null, `${label} has no inode`)
      t.equal(e.uid, null, `${label} has no owner`)
    } else {
      t.equal(e.inode, s.inode, `${label} inode`)
      t.equal(e.uid, uid, `${label} uid`)
    }
    t.equal(e.options, null, `${label}: netlink alone reads no options`)
  }
})

test('IPv4-mapped peers are IPv6 entries with ::ffff: addresses', async (t) => {
  const e = find(entries, sock('tcp6.mapped.server'))
  t.match(e?.local.address, /^::ffff:127\.0\.0\.1$/)
  t.match(e?.remote.address, /^::ffff:127\.0\.0\.1$/)
})

test('queues: unread data in Recv-Q, unsent and unacknowledged data in Send-Q', async (t) => {
  t.equal(find(entries, sock('tcp4.est.server'))?.recvQ, 1000, 'the server has 1000 unread bytes')
  t.equal(find(entries, sock('tcp4.est.client'))?.recvQ, 700, 'the client has 700 unread bytes')
  const writer = find(entries, sock('tcp4.sendq.writer'))
  t.ok((writer?.sendQ ?? 0) > 0, `the writer has bytes queued (${writer?.sendQ})`)
  t.ok((writer?.sendQ ?? 0) <= zoo.info.sendqWritten, 'no more than it wrote')
  t.ok((find(entries, sock('tcp4.sendq.reader'))?.recvQ ?? 0) > 0, 'the reader has unread bytes')
  const full = find(entries, sock('tcp4.full.listen'))
  t.equal(full?.recvQ, 1, 'one connection waits in the full accept queue')
  t.equal(full?.sendQ, 0, 'a listener has Send-Q 0')
  t.equal(full?.backlog, 0, 'its backlog limit is listen(0)')
  t.equal(find(entries, sock('tcp4.listen'))?.backlog, 16, 'listen(16)')
  t.ok((find(entries, sock('udp4.bound'))?.recvQ ?? 0) >= 100, 'a UDP socket with a datagram waiting')
})

test('listSockets agrees with /proc/net/{tcp,tcp6,udp,udp6}', async (t) => {
  const procFind = (s: ZooSocket, family: 4 | 6, proto: string): ProcSocket | undefined =>
    s.inode !== 0
      ? proc.find((p) => p.inode === s.inode)
      : proc.find((p) => p.proto === proto && p.family === family && p.state === 6 && p.local.port === s.local[1] && p.remote.port === s.remote[1])
  for (const [label, proto, family] of expected) {
    const s = sock(label)
    const e = find(entries, s)
    const p = procFind(s, family, proto)
    if (e === undefined || p === undefined) {
      t.fail(`${label} is in both`)
      continue
    }
    t.equal(e.proto, p.proto, `${label} proto`)
    t.equal(e.family, p.family, `${label} family`)
    // /proc/net/tcp shows request minisockets as SYN_RECV too.
    t.equal(e.state, TCP_STATES[p.state - 1], `${label} state`)
    t.same(e.local, p.local, `${label} local`)
    t.same(e.remote, p.remote, `${label} remote`)
    t.equal(e.inode ?? 0, p.inode, `${label} inode`)
    if (e.inode !== null) t.equal(e.uid, p.uid, `${label} uid`)
    t.equal(e.recvQ, p.recvQ, `${label} Recv-Q`)
    t.equal(e.sendQ, p.sendQ, `${label} Send-Q`)
  }
})

test('tcp_info: decoded for TCP, diag flags from it', async (t) => {
  const est = find(entries, sock('tcp4.est.client'))
  t.ok(est?.tcpInfo, 'an established socket has tcp_info')
  t.equal(est?.tcpInfo?.state, 1, 'tcpi_state is ESTABLISHED')
  t.type(est?.tcpInfo?.rtt, 'number')
  t.same(est?.diag, { sendWindowZero: false, receiveWindowZero: false, ackStalled: false })
  t.equal(typeof est?.netlink?.congestion, 'string', 'congestion control name')
  t.equal(find(entries, sock('tcp4.timewait'))?.tcpInfo, null, 'TIME_WAIT has no tcp_info')
  t.equal(find(entries, sock('udp4.bound'))?.tcpInfo, undefined, 'UDP has none')
  const listen = find(entries, sock('tcp4.listen'))
  t.same(listen?.diag, { sendWindowZero: false, receiveWindowZero: false, ackStalled: false }, 'flags are for ESTABLISHED only')

  const without = await listSockets({ proto: 'tcp', tcpInfo: false })
  const plain = find(without, sock('tcp4.est.client'))
  t.equal(plain?.tcpInfo, undefined, 'tcpInfo: false leaves it out')
  t.same(plain?.diag, { sendWindowZero: null, receiveWindowZero: null, ackStalled: null }, 'and the flags are unknown')
})

test('netlink details', async (t) => {
  const e = find(entries, sock('tcp4.half.client'))
  t.same(e?.netlink?.shutdown, { read: false, write: true }, 'shutdown(SHUT_WR) is reported')
  t.match(e?.netlink?.cookie, /^[0-9]+$/)
  t.equal(find(entries, sock('tcp6.dual.listen'))?.netlink?.v6only, false, 'IPV6_V6ONLY=0 on the dual-stack listener')
  t.equal(find(entries, sock('tcp4.synsent'))?.netlink?.timer, 'retransmit', 'SYN_SENT retransmits its SYN')
})

test('queries: proto, family, state, ports', async (t) => {
  const onlyUdp6 = await listSockets({ proto: 'udp', family: 6 })
  t.ok(onlyUdp6.length >= 2)
  t.ok(onlyUdp6.every((e) => e.proto === 'udp' && e.family === 6))
  t.ok(find(onlyUdp6, sock('udp6.bound')))

  const listening = await listSockets({ state: 'LISTEN' })
  t.ok(listening.every((e) => e.state === 'LISTEN'))
  t.ok(find(listening, sock('tcp6.dual.listen')))
  t.notOk(find(listening, sock('tcp4.est.client')))

  const waits = await listSockets({ state: ['FIN_WAIT2', 'CLOSE_WAIT'], proto: ['tcp'] })
  t.same(new Set(waits.filter((e) => e.inode === sock('tcp4.half.client').inode || e.inode === sock('tcp4.half.server').inode).map((e) => e.state)), new Set(['FIN_WAIT2', 'CLOSE_WAIT']))

  const port = sock('tcp4.listen').local[1]
  const local = await listSockets({ localPort: port })
  t.ok(local.length >= 2, 'the listener and the accepted socket')
  t.ok(local.every((e) => e.local.port === port))
  const remote = await listSockets({ remotePort: port })
  t.ok(remote.every((e) => e.remote.port === port))
  t.ok(find(remote, sock('tcp4.est.client')))
  const either = await listSockets({ port: [port, { from: 1, to: 1 }] })
  t.equal(either.length, local.length + remote.length)
})

test('invalid queries are TypeErrors that name the field and the allowed values', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ proto: 'sctp' }, /proto "sctp" is not allowed; use one of "tcp", "udp"/],
    [{ family: '4' }, /family "4" is not allowed; use one of 4, 6/],
    [{ state: 'OPEN' }, /state "OPEN" is not allowed; use one of "ESTABLISHED", "SYN_SENT"/],
    [{ state: [] }, /state is an empty list/],
    [{ localPort: 70000 }, /localPort 70000 is not a port; use an integer 0-65535, a range \{ from, to \}/],
    [{ port: { from: 9, to: 1 } }, /port \{"from":9,"to":1\} is not a port/],
    [{ tcpInfo: 'yes' }, /tcpInfo must be true or false, got "yes"/],
    [{ prot: 'tcp' }, /unknown query field "prot"; the fields are proto, family/],
    ['tcp', /the query must be an object, got "tcp"/],
  ]
  for (const [query, message] of cases) {
    await t.rejects(listSockets(query as never), { name: 'TypeError', message }, JSON.stringify(query))
  }
})

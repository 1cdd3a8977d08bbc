// The pure netlink reply parser, fed crafted bytes through the parser test addon
// (test/helpers/parser-addon.ts); its records read back through the listing's
// EntryDecoder. Skipped, saying why, where the test addon cannot be built.
import fc from 'fast-check'
import t from 'tap'
import type { SocketEntry } from '../../src/model.js'
import { decodeEntries } from './fixtures/dump.js'
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLM_F_DUMP_INTR,
  SOCK_DIAG_BY_FAMILY,
  ascii,
  attr,
  concat,
  inetDiagMsg,
  nlmsg,
  patternTcpInfo,
  s32,
  u16,
  u32,
  u64,
  u8,
} from './fixtures/netlink-bytes.js'
import { parserAddon } from '../helpers/parser-addon.js'

const { parseReply, skip, builtSeconds } = parserAddon()
if (builtSeconds !== null) t.comment(`built the parser test addon in ${builtSeconds.toFixed(1)} s`)
const parse = (bytes: Uint8Array, protocol = 6) => parseReply(bytes, protocol)
const done = (code = 0) => nlmsg(NLMSG_DONE, s32(code))

const LOOPBACK6 = [...new Array<number>(15).fill(0), 1]
const MAPPED6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]

const tcp4Msg = inetDiagMsg({
  family: 2,
  state: 1,
  timer: 2,
  retrans: 3,
  sport: 443,
  dport: 50123,
  src: [10, 0, 0, 1],
  dst: [192, 168, 1, 6],
  ifindex: 7,
  cookie: 0x1_2345_6789n,
  expires: 4500,
  rqueue: 11,
  wqueue: 22,
  uid: 1000,
  inode: 987654,
})

const tcp4Attributes = concat(
  attr(8, u8(3)), // SHUTDOWN
  attr(5, u8(0x10)), // TOS
  attr(7, concat(...[1, 2, 3, 4, 5, 6, 7, 8, 9].map(u32))), // SKMEMINFO
  attr(2, patternTcpInfo(280)), // INFO
  attr(4, ascii('cubic\0')), // CONG
  attr(22, Uint8Array.of(0b0010_0101, 0b0000_0101)), // SOCKOPT: recverr, freebind, transparent; bind_address_no_port, defer_connect
  attr(15, u32(0x1234)), // MARK
  attr(21, u64(2n ** 40n + 5n)), // CGROUP_ID
  attr(17, u32(7)), // CLASS_ID
  attr(99, u32(0xdead)), // unknown: skipped
)

const tcp4 = nlmsg(SOCK_DIAG_BY_FAMILY, concat(tcp4Msg, tcp4Attributes))

const udp6Msg = inetDiagMsg({
  family: 10,
  state: 7,
  sport: 5353,
  dport: 0,
  src: LOOPBACK6,
  dst: MAPPED6,
  inode: 42,
})
const udp6 = nlmsg(SOCK_DIAG_BY_FAMILY, concat(udp6Msg, attr(8, u8(0)), attr(6, u8(0xb8)), attr(11, u8(1))))

t.test('a TCP/IPv4 message with every attribute decodes to exact values', { skip }, (t) => {
  const result = parse(concat(tcp4, done()))
  t.equal(result.end, 'done')
  t.equal(result.recordCount, 1)
  t.equal(result.skipped, 0)
  t.equal(result.interrupted, false)
  const [entry] = decodeEntries(result.records)
  const { tcpInfo, netlink, ...rest } = entry as SocketEntry
  // Object.entries: the string-keyed properties (the entry keeps its record under symbols).
  t.same(Object.fromEntries(Object.entries(rest)), {
    proto: 'tcp',
    family: 4,
    state: 'ESTABLISHED',
    recvQ: 11,
    sendQ: 22,
    local: { address: '10.0.0.1', port: 443 },
    remote: { address: '192.168.1.6', port: 50123 },
    uid: 1000,
    inode: 987654,
    diag: { sendWindowZero: false, receiveWindowZero: false, ackStalled: false },
    options: null,
    optionsSource: null,
  })
  t.same(netlink, {
    cookie: String(0x1_2345_6789),
    ifindex: 7,
    timer: 'keepalive',
    retransmits: 3,
    expiresMs: 4500,
    shutdown: { read: true, write: true },
    v6only: null,
    tos: 0x10,
    tclass: null,
    mark: 0x1234,
    classId: 7,
    cgroupId: String(2n ** 40n + 5n),
    sockopt: {
      recverr: true,
      isIcsk: false,
      freebind: true,
      hdrincl: false,
      mcLoop: false,
      transparent: true,
      mcAll: false,
      nodefrag: false,
      bindAddressNoPort: true,
      recverrRfc4884: false,
      deferConnect: true,
    },
    congestion: 'cubic',
    memInfo: {
      rmemAlloc: 1,
      rcvbuf: 2,
      wmemAlloc: 3,
      sndbuf: 4,
      fwdAlloc: 5,
      wmemQueued: 6,
      optmem: 7,
      backlog: 8,
      drops: 9,
    },
  })
  t.ok(tcpInfo)
  t.equal(tcpInfo?.state, 1)
  t.equal(tcpInfo?.rto, 8)
  t.equal(tcpInfo?.rcvWnd, 232)
  t.equal(tcpInfo?.receivedCeBytes, 272)
  t.end()
})

t.test('a UDP/IPv6 message keeps its protocol, v6only, tclass and the mapped address form', { skip }, (t) => {
  const result = parse(concat(udp6, done()), 17)
  t.equal(result.end, 'done')
  const [entry] = decodeEntries(result.records)
  t.match(entry, {
    proto: 'udp',
    family: 6,
    state: 'CLOSE',
    local: { address: '::1', port: 5353 },
    remote: { address: '::ffff:192.0.2.1', port: 0 },
    inode: 42,
  })
  t.same(entry?.netlink, {
    cookie: '0',
    ifindex: 0,
    timer: 'none',
    retransmits: 0,
    expiresMs: 0,
    shutdown: { read: false, write: false },
    v6only: true,
    tos: null,
    tclass: 0xb8,
    mark: null,
    classId: null,
    cgroupId: null,
    sockopt: null,
    congestion: null,
    memInfo: null,
  })
  t.notOk(entry !== undefined && 'tcpInfo' in entry, 'a UDP entry has no tcpInfo')
  t.end()
})

t.test('records of several messages and datagrams come back to back', { skip }, (t) => {
  const first = parse(concat(tcp4, tcp4))
  t.equal(first.end, 'more', 'no NLMSG_DONE yet')
  t.equal(first.recordCount, 2)
  const second = parse(concat(tcp4, done()))
  t.equal(second.end, 'done')
  t.equal(first.recordCount + second.recordCount, 3)
  t.equal(decodeEntries(Buffer.concat([first.records, second.records])).length, 1, 'the same socket three times: one entry')
  t.end()
})

t.test('every truncation of a datagram is either a clean message boundary or EBADMSG', { skip }, (t) => {
  const datagram = concat(tcp4, udp6, done())
  const boundaries = new Map([
    [0, 0],
    [tcp4.length, 1],
    [tcp4.length + udp6.length, 2],
  ])
  for (let cut = 0; cut < datagram.length; cut++) {
    const result = parse(datagram.subarray(0, cut))
    const complete = boundaries.get(cut)
    if (complete !== undefined) {
      if (result.end !== 'more' || result.recordCount !== complete) t.fail(`cut at ${cut}: ${JSON.stringify(result)}`)
    } else if (result.end !== 'error' || result.code !== 'EBADMSG' || result.errno !== -74) {
      t.fail(`cut at ${cut} inside a message was not EBADMSG: ${result.end} ${result.code}`)
    }
  }
  t.equal(parse(datagram).end, 'done')
  t.end()
})

t.test('bad nlmsg_len is EBADMSG', { skip }, (t) => {
  const short = parse(nlmsg(SOCK_DIAG_BY_FAMILY, tcp4Msg, { length: 15 }))
  t.match(short, { end: 'error', code: 'EBADMSG', errno: -74, detail: /shorter than the netlink header/ })
  const long = parse(nlmsg(SOCK_DIAG_BY_FAMILY, tcp4Msg, { length: 16 + 72 + 4 }))
  t.match(long, { end: 'error', code: 'EBADMSG', detail: /runs past the datagram/ })
  const header = parse(Uint8Array.of(1, 2, 3))
  t.match(header, { end: 'error', code: 'EBADMSG', detail: /header truncated/ })
  t.end()
})

t.test('a payload shorter than inet_diag_msg is EBADMSG', { skip }, (t) => {
  const result = parse(nlmsg(SOCK_DIAG_BY_FAMILY, tcp4Msg.subarray(0, 71)))
  t.match(result, { end: 'error', code: 'EBADMSG', detail: /inet_diag_msg truncated/, recordCount: 0 })
  t.end()
})

t.test('bad rta_len is EBADMSG', { skip }, (t) => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['below the header', attr(8, u8(1), { length: 3 }), /rta_len shorter/],
    ['past the message', attr(8, u8(1), { length: 64 }), /rta_len runs past/],
    ['a header cut short', u16(8), /attribute header truncated/],
    ['MARK of 2 bytes', attr(15, u16(1)), /INET_DIAG_MARK shorter/],
    ['CGROUP_ID of 4 bytes', attr(21, u32(1)), /INET_DIAG_CGROUP_ID shorter/],
    ['SHUTDOWN of 0 bytes', attr(8, new Uint8Array(0)), /INET_DIAG_SHUTDOWN shorter/],
    ['SOCKOPT of 1 byte', attr(22, u8(1)), /INET_DIAG_SOCKOPT shorter/],
  ]
  for (const [name, bad, detail] of cases) {
    const result = parse(concat(nlmsg(SOCK_DIAG_BY_FAMILY, concat(tcp4Msg, bad)), done()))
    t.match(result, { end: 'error', code: 'EBADMSG', errno: -74, detail, recordCount: 0 }, name)
  }
  t.end()
})

t.test('attributes longer than their type are read by their known prefix', { skip }, (t) => {
  const msg = concat(tcp4Msg, attr(15, concat(u32(5), u32(0xffffffff))), attr(7, concat(...Array.from({ length: 12 }, (_, i) => u32(i)))))
  const [entry] = decodeEntries(parse(concat(nlmsg(SOCK_DIAG_BY_FAMILY, msg), done())).records)
  t.equal(entry?.netlink?.mark, 5)
  t.equal(entry?.netlink?.memInfo?.drops, 8, 'the 9 known SK_MEMINFO entries of 12')
  t.end()
})

t.test('fewer SKMEMINFO entries leave the missing ones null', { skip }, (t) => {
  const msg = concat(tcp4Msg, attr(7, concat(u32(100), u32(200), u32(300), u32(400), u32(500), u32(600), u32(700), u32(800))))
  const [entry] = decodeEntries(parse(concat(nlmsg(SOCK_DIAG_BY_FAMILY, msg), done())).records)
  t.same(entry?.netlink?.memInfo, {
    rmemAlloc: 100,
    rcvbuf: 200,
    wmemAlloc: 300,
    sndbuf: 400,
    fwdAlloc: 500,
    wmemQueued: 600,
    optmem: 700,
    backlog: 800,
    drops: null,
  })
  t.end()
})

t.test('NLMSG_ERROR carries the kernel errno', { skip }, (t) => {
  const errnos: [number, string][] = [
    [1, 'EPERM'],
    [2, 'ENOENT'],
    [4, 'EINTR'],
    [12, 'ENOMEM'],
    [13, 'EACCES'],
    [22, 'EINVAL'],
    [93, 'EPROTONOSUPPORT'],
    [95, 'EOPNOTSUPP'],
    [97, 'EAFNOSUPPORT'],
    [105, 'ENOBUFS'],
    [4000, 'UNKNOWN'],
  ]
  for (const [errno, code] of errnos) {
    const request = new Uint8Array(16 + 56)
    const result = parse(concat(nlmsg(NLMSG_ERROR, concat(s32(-errno), request)), done()))
    t.match(result, { end: 'error', errno: -errno, code, recordCount: 0 }, code)
    t.notOk(result.detail)
  }
  t.end()
})

t.test('NLMSG_ERROR edge cases', { skip }, (t) => {
  t.match(parse(nlmsg(NLMSG_ERROR, s32(0))), { end: 'more', skipped: 1 }, 'code 0 is an ack')
  t.match(parse(nlmsg(NLMSG_ERROR, s32(5))), { end: 'error', code: 'EBADMSG' }, 'positive code')
  t.match(parse(nlmsg(NLMSG_ERROR, s32(-5000))), { end: 'error', code: 'EBADMSG' }, 'beyond MAX_ERRNO')
  t.match(parse(nlmsg(NLMSG_ERROR, s32(-2147483648))), { end: 'error', code: 'EBADMSG' }, 'INT_MIN')
  t.match(parse(nlmsg(NLMSG_ERROR, u16(0))), { end: 'error', code: 'EBADMSG', detail: /NLMSG_ERROR payload truncated/ })
  t.end()
})

t.test('NLMSG_DONE ends the dump with its status code', { skip }, (t) => {
  t.match(parse(done(0)), { end: 'done' })
  t.match(parse(nlmsg(NLMSG_DONE, new Uint8Array(0))), { end: 'done' }, 'no status: success')
  t.match(parse(done(-105)), { end: 'error', code: 'ENOBUFS', errno: -105 })
  t.match(parse(done(-4)), { end: 'error', code: 'EINTR', errno: -4 })
  t.match(parse(done(-99999)), { end: 'error', code: 'EBADMSG' })
  const after = parse(concat(tcp4, done(), tcp4, Uint8Array.of(1, 2, 3)))
  t.match(after, { end: 'done', recordCount: 1 }, 'bytes after NLMSG_DONE are ignored')
  t.end()
})

t.test('NLM_F_DUMP_INTR is reported, records still parsed', { skip }, (t) => {
  const flagged = nlmsg(SOCK_DIAG_BY_FAMILY, concat(tcp4Msg, tcp4Attributes), { flags: 0x2 | NLM_F_DUMP_INTR })
  t.match(parse(concat(tcp4, flagged, done())), { end: 'done', interrupted: true, recordCount: 2 })
  t.match(parse(concat(tcp4, nlmsg(NLMSG_DONE, s32(0), { flags: NLM_F_DUMP_INTR }))), { end: 'done', interrupted: true })
  t.match(parse(concat(tcp4, done())), { interrupted: false })
  t.end()
})

t.test('unknown message types, NOOP and non-inet families are skipped', { skip }, (t) => {
  const unix = inetDiagMsg({ family: 1, state: 1, sport: 0, dport: 0, src: [], dst: [] })
  const result = parse(
    concat(nlmsg(NLMSG_NOOP, new Uint8Array(0)), nlmsg(77, u32(1)), nlmsg(SOCK_DIAG_BY_FAMILY, unix), tcp4, done()),
  )
  t.match(result, { end: 'done', recordCount: 1, skipped: 3 })
  t.end()
})

t.test('the last message of a datagram may lack alignment padding', { skip }, (t) => {
  const odd = nlmsg(SOCK_DIAG_BY_FAMILY, concat(tcp4Msg, attr(8, u8(1), { pad: false })), { pad: false })
  t.equal(odd.length % 4, 1)
  const result = parse(odd)
  t.match(result, { end: 'more', recordCount: 1 })
  t.same(decodeEntries(result.records)[0]?.netlink?.shutdown, { read: true, write: false })
  t.end()
})

t.test('congestion names: up to the NUL, or the whole payload when unterminated', { skip }, (t) => {
  const named = (payload: Uint8Array) =>
    decodeEntries(parse(concat(nlmsg(SOCK_DIAG_BY_FAMILY, concat(tcp4Msg, attr(4, payload))), done())).records)[0]?.netlink
      ?.congestion
  t.equal(named(ascii('bbr\0\0\0\0\0')), 'bbr')
  t.equal(named(ascii('reno')), 'reno')
  t.equal(named(new Uint8Array(0)), '')
  t.end()
})

t.test('tcp_info shorter than the newest struct: what the kernel did not send is null', { skip }, (t) => {
  for (const length of [0, 104, 232]) {
    const msg = concat(tcp4Msg, attr(2, patternTcpInfo(length)))
    const [entry] = decodeEntries(parse(concat(nlmsg(SOCK_DIAG_BY_FAMILY, msg), done())).records)
    const info = entry?.tcpInfo
    t.ok(info, `length ${length}: present`)
    t.equal(info?.totalRetrans, length >= 104 ? 100 : null, `length ${length}: totalRetrans`)
    t.equal(info?.pacingRate, length >= 112 ? 108 * 2 ** 32 + 104 : null, `length ${length}: u64 pacingRate at 104`)
    t.equal(info?.sndWnd, length >= 232 ? 228 : null, `length ${length}: sndWnd`)
    t.equal(info?.rcvWnd, null, `length ${length}: rcvWnd ends at 236`)
  }
  t.end()
})

t.test('garbage never crashes the parser; whatever it accepts decodes', { skip }, (t) => {
  const valid = concat(tcp4, udp6, done())
  const check = (bytes: Uint8Array): boolean => {
    const result = parse(bytes)
    if (!['more', 'done', 'error'].includes(result.end)) return false
    if (result.end === 'error' && (result.errno === undefined || result.errno >= 0)) return false
    // Throws on a malformed record; the lazy tcpInfo and netlink are read too.
    JSON.stringify(decodeEntries(result.records))
    return true
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { seed: 20261127, numRuns: 3000 })
  // Mutations of a valid datagram get past the framing checks far more often.
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      (edits) => {
        const bytes = valid.slice()
        for (const [at, value] of edits) bytes[at] = value
        return check(bytes)
      },
    ),
    { seed: 20261127, numRuns: 5000 },
  )
  t.pass('no crash')
  t.end()
})

t.test('argument errors', { skip }, (t) => {
  t.throws(() => parseReply('nope' as unknown as Uint8Array), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => parseReply(new Uint8Array(0), 300), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })
  t.match(parseReply(new Uint8Array(0)), { end: 'more', recordCount: 0 })
  t.end()
})

// The EntryDecoder over records the native parser wrote from crafted netlink bytes:
// addresses, the diag flags derived from tcp_info, chunked and misaligned decoding,
// and its refusal of bytes that cannot be records.
import { endianness } from 'node:os'
import t from 'tap'
import type { DiagFlags } from '../../src/model.js'
import { alignedViews, ALL_STATES, EntryDecoder, extensionBit, INET_DIAG, R, RecordDecodeError, stateMask } from '../../src/sources/netlink/index.js'
import { AF_INET, TCP_STATE } from '../../src/util/linux.js'
import { decodeEntries } from './fixtures/dump.js'
import { NLMSG_DONE, SOCK_DIAG_BY_FAMILY, attr, concat, inetDiagMsg, nlmsg, patternTcpInfo, s32, u8 } from './fixtures/netlink-bytes.js'
import { parserAddon } from '../helpers/parser-addon.js'
import { NO_CONDITIONS } from '../../src/filter.js'

// Records from crafted bytes: the production parser in the test addon. The tests that
// need it skip, saying why, where it cannot be built.
const { parseReply, skip, builtSeconds } = parserAddon()
if (builtSeconds !== null) t.comment(`built the parser test addon in ${builtSeconds.toFixed(1)} s`)

function records(messages: Uint8Array[], protocol = 6): Buffer {
  const result = parseReply(concat(...messages, nlmsg(NLMSG_DONE, s32(0))), protocol)
  if (result.end !== 'done') throw new Error(`crafted reply did not parse: ${JSON.stringify(result)}`)
  return result.records
}

// Each message its own cookie: the decoder keeps one entry per cookie and table.
let cookies = 1n
const msg = (family: number, src: number[], dst: number[], extra: Uint8Array = new Uint8Array(0), state = 1) =>
  nlmsg(SOCK_DIAG_BY_FAMILY, concat(inetDiagMsg({ family, state, sport: 1, dport: 2, src, dst, cookie: cookies++ }), extra))

const newDecoder = () =>
  new EntryDecoder({
    ...NO_CONDITIONS,
    tcpInfo: true,
    stateMask: ALL_STATES,
  })

/** Every property of every entry, the lazy ones included. */
const settled = (entries: unknown[]): unknown => JSON.parse(JSON.stringify(entries))

t.test('addresses use the kernel forms, cached or not', { skip }, (t) => {
  const v6 = (...tail: number[]) => [...new Array<number>(16 - tail.length).fill(0), ...tail]
  const entries = decodeEntries(
    records([
      msg(2, [127, 0, 0, 1], [0, 0, 0, 0]),
      msg(2, [127, 0, 0, 1], [10, 1, 2, 3]),
      msg(10, v6(), v6(1)),
      msg(10, [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1], [0xfe, 0x80, ...new Array<number>(13).fill(0), 9]),
      msg(10, v6(0xff, 0xff, 10, 0, 0, 1), v6()),
      msg(10, v6(), v6(1)),
    ]),
  )
  t.same(
    entries.map((e) => [e.local.address, e.remote.address]),
    [
      ['127.0.0.1', '0.0.0.0'],
      ['127.0.0.1', '10.1.2.3'],
      ['::', '::1'],
      ['2001:db8::1', 'fe80::9'],
      ['::ffff:10.0.0.1', '::'],
      ['::', '::1'],
    ],
  )
  t.end()
})

t.test('records of other protocols are skipped', { skip }, (t) => {
  const raw = records([msg(2, [1, 2, 3, 4], [5, 6, 7, 8])], 255)
  t.equal(raw.length, R.headerSize, 'the parser wrote a record')
  t.same(decodeEntries(raw), [], 'IPPROTO_RAW is not decoded as tcp/udp')
  t.end()
})

t.test('an empty buffer decodes to no entries', (t) => {
  t.same(newDecoder().decode(new Uint8Array(0)), { entries: [], next: 0 })
  t.end()
})

t.test('a Uint8Array view at an offset decodes like the Buffer itself', { skip }, (t) => {
  const one = records([msg(2, [1, 2, 3, 4], [5, 6, 7, 8], attr(8, u8(1)))])
  const padded = new Uint8Array(one.length + 16)
  padded.set(one, 8)
  const viewed = settled(decodeEntries(padded.subarray(8, 8 + one.length)))
  t.same(viewed, settled(decodeEntries(one)))
  t.match(viewed, [{ local: { address: '1.2.3.4' }, netlink: { shutdown: { read: true, write: false } } }])
  t.end()
})

t.test('bytes that cannot be records throw RecordDecodeError', { skip }, (t) => {
  const one = records([msg(2, [1, 2, 3, 4], [5, 6, 7, 8])])
  t.throws(() => newDecoder().decode(one.subarray(0, R.headerSize - 1)), RecordDecodeError, 'short of a header')
  const cases: [string, (v: DataView) => void][] = [
    ['size below the header', (v) => v.setUint32(R.size, 8, true)],
    ['size not a multiple of 8', (v) => v.setUint32(R.size, R.headerSize + 4, true)],
    ['size past the buffer', (v) => v.setUint32(R.size, R.headerSize + 8, true)],
    ['tail past the size', (v) => v.setUint16(R.tcpInfoLength, 8, true)],
  ]
  for (const [name, corrupt] of cases) {
    const bytes = Uint8Array.from(one)
    corrupt(new DataView(bytes.buffer))
    t.throws(() => newDecoder().decode(bytes), { name: 'RecordDecodeError', code: 'ERR_KNETSTAT_RECORD' }, name)
  }
  t.end()
})

t.test('decoding in chunks gives the same entries as decoding at once', { skip }, (t) => {
  const buf = records(Array.from({ length: 7 }, (_, i) => msg(2, [10, 0, 0, i], [10, 0, 1, i], attr(8, u8(i % 3)))))
  const whole = settled(decodeEntries(buf))
  const decoder = newDecoder()
  const chunks: number[] = []
  const pieces = []
  for (let at = 0; at < buf.length; ) {
    const { entries, next } = decoder.decode(buf, at, 3)
    chunks.push(entries.length)
    pieces.push(...entries)
    t.ok(next > at, 'progress')
    at = next
  }
  t.same(chunks, [3, 3, 1])
  t.same(settled(pieces), whole)
  t.same(decoder.decode(buf, buf.length, 3), { entries: [], next: buf.length }, 'at the end')
  t.throws(() => decoder.decode(buf, 4, 3), RangeError, 'not a record boundary')
  t.throws(() => decoder.decode(buf, buf.length + 8, 3), RangeError, 'past the end')
  t.end()
})

t.test('a misaligned buffer decoded in chunks over one set of views', { skip }, (t) => {
  const one = records([msg(2, [1, 2, 3, 4], [5, 6, 7, 8]), msg(2, [1, 2, 3, 5], [5, 6, 7, 8])])
  const shifted = new Uint8Array(one.length + 4)
  shifted.set(one, 4)
  const view = shifted.subarray(4)
  const views = alignedViews(view)
  t.not(views.u8, view, 'a misaligned buffer is copied once')
  const decoder = newDecoder()
  const first = decoder.decode(views.u8, 0, 1, views)
  const second = decoder.decode(views.u8, first.next, 1, views)
  t.same(settled([...first.entries, ...second.entries]), settled(decodeEntries(one)))
  t.end()
})

t.test('a socket the dump repeats is one entry; the same cookie in another table is another', { skip }, (t) => {
  const cookie = 77n
  const tcp4 = nlmsg(SOCK_DIAG_BY_FAMILY, inetDiagMsg({ family: 2, state: 1, sport: 1, dport: 2, src: [1, 1, 1, 1], dst: [2, 2, 2, 2], cookie }))
  const tcp6 = nlmsg(SOCK_DIAG_BY_FAMILY, inetDiagMsg({ family: 10, state: 1, sport: 1, dport: 2, src: [], dst: [], cookie }))
  const decoder = newDecoder()
  const { entries } = decoder.decode(Buffer.concat([records([tcp4, tcp4, tcp6]), records([tcp4], 17)]))
  t.same(entries.map((e) => `${e.proto}${e.family}`), ['tcp4', 'tcp6', 'udp4'])
  t.equal(decoder.duplicates, 1)
  t.end()
})

// struct tcp_info fields the flags are made of (include/uapi/linux/tcp.h).
const TI_UNACKED = 24
const TI_LAST_ACK_RECV = 56
const TI_SND_WND = 228
const TI_RCV_WND = 232

/** A tcp_info of `length` bytes (patternTcpInfo: windows non-zero, 24 unacked, last ACK 56 ms ago) with `fields` set. */
function tcpInfo(length: number, fields: Record<number, number> = {}): Uint8Array {
  const bytes = patternTcpInfo(length)
  const view = new DataView(bytes.buffer)
  for (const [offset, value] of Object.entries(fields)) view.setUint32(Number(offset), value, endianness() === 'LE')
  return bytes
}

/** The diag flags of one TCP socket in `state`, with `info` as its INET_DIAG_INFO (none: null), decoded with `withInfo`. */
function flagsOf(state: number, info: Uint8Array | null, withInfo = true): DiagFlags {
  const extra = info === null ? new Uint8Array(0) : attr(INET_DIAG.INFO, info)
  const [entry] = decodeEntries(records([msg(2, [127, 0, 0, 1], [127, 0, 0, 1], extra, state)]), withInfo)
  if (entry === undefined) throw new Error('no entry')
  return entry.diag
}

t.test('diag flags come from the record\'s tcp_info', { skip }, (t) => {
  const est = TCP_STATE.ESTABLISHED
  const none = { sendWindowZero: false, receiveWindowZero: false, ackStalled: false }
  t.same(flagsOf(est, tcpInfo(280)), none)
  t.same(flagsOf(est, tcpInfo(280, { [TI_SND_WND]: 0 })), { ...none, sendWindowZero: true }, 'the peer\'s window is zero')
  t.same(flagsOf(est, tcpInfo(280, { [TI_RCV_WND]: 0 })), { ...none, receiveWindowZero: true }, 'our window is zero')
  t.same(flagsOf(est, tcpInfo(280, { [TI_SND_WND]: 0, [TI_RCV_WND]: 0 })), { ...none, sendWindowZero: true, receiveWindowZero: true })
  t.equal(flagsOf(est, tcpInfo(280, { [TI_UNACKED]: 1, [TI_LAST_ACK_RECV]: 1001 })).ackStalled, true, 'unacked, last ACK 1001 ms ago')
  t.equal(flagsOf(est, tcpInfo(280, { [TI_UNACKED]: 1, [TI_LAST_ACK_RECV]: 1000 })).ackStalled, false, '1000 ms is not stalled')
  t.equal(flagsOf(est, tcpInfo(280, { [TI_UNACKED]: 0, [TI_LAST_ACK_RECV]: 5000 })).ackStalled, false, 'nothing unacked')
  t.same(flagsOf(est, tcpInfo(232)), { ...none, receiveWindowZero: null }, '6.1: no rcv_wnd')
  t.same(flagsOf(est, tcpInfo(104)), { sendWindowZero: null, receiveWindowZero: null, ackStalled: false }, 'old kernel: no windows')
  t.same(flagsOf(est, tcpInfo(40)), { sendWindowZero: null, receiveWindowZero: null, ackStalled: null }, 'no last_ack_recv either')
  t.same(flagsOf(est, null), { sendWindowZero: null, receiveWindowZero: null, ackStalled: null }, 'no tcp_info sent')
  for (const state of [TCP_STATE.LISTEN, TCP_STATE.TIME_WAIT, TCP_STATE.CLOSE_WAIT]) {
    t.same(flagsOf(state, tcpInfo(280, { [TI_SND_WND]: 0, [TI_RCV_WND]: 0 })), none, `state ${state}: only ESTABLISHED has flags`)
    t.same(flagsOf(state, null), none, `state ${state} without tcp_info`)
  }
  t.same(flagsOf(est, tcpInfo(280, { [TI_SND_WND]: 0 }), false), { sendWindowZero: null, receiveWindowZero: null, ackStalled: null }, 'tcp_info not asked for: unknown')
  t.same(flagsOf(TCP_STATE.LISTEN, null, false), none, 'not ESTABLISHED, not asked for: no flags')
  const udp = decodeEntries(records([msg(2, [1, 2, 3, 4], [5, 6, 7, 8], attr(INET_DIAG.INFO, tcpInfo(280, { [TI_SND_WND]: 0 })))], 17))
  t.same(udp[0]?.diag, none, 'UDP has no flags')
  t.ok(Object.isFrozen(flagsOf(est, tcpInfo(280))), 'shared, frozen')
  t.equal(flagsOf(est, tcpInfo(280)), flagsOf(est, tcpInfo(248)), 'one object per combination')
  t.end()
})

t.test('constants helpers', (t) => {
  t.equal(extensionBit(INET_DIAG.INFO), 2)
  t.equal(extensionBit(INET_DIAG.SHUTDOWN), 128)
  t.throws(() => extensionBit(INET_DIAG.SOCKOPT), RangeError)
  t.equal(stateMask([TCP_STATE.LISTEN, TCP_STATE.ESTABLISHED]), (1 << 10) | (1 << 1))
  t.throws(() => stateMask([32]), RangeError)
  t.equal(AF_INET, 2)
  t.end()
})

// decodeRecords over records the native parser wrote, and its refusal of bytes that
// cannot be records.
import t from 'tap'
import { AF_INET, INET_DIAG, TCP_STATE, extensionBit, stateMask } from '../../src/native/constants.js'
import { RecordDecodeError, decodeRecordChunk, decodeRecords } from '../../src/native/decode.js'
import { loadBinding } from '../../src/native/load.js'
import { R } from '../../src/native/record-layout.js'
import { NLMSG_DONE, SOCK_DIAG_BY_FAMILY, attr, concat, inetDiagMsg, nlmsg, s32, u8 } from './fixtures/netlink-bytes.js'

const native = loadBinding()

function records(messages: Uint8Array[], protocol = 6): Buffer {
  const result = native.parseReplyForTest(concat(...messages, nlmsg(NLMSG_DONE, s32(0))), protocol)
  if (result.end !== 'done') throw new Error(`crafted reply did not parse: ${JSON.stringify(result)}`)
  return result.records
}

const msg = (family: number, src: number[], dst: number[], extra: Uint8Array = new Uint8Array(0)) =>
  nlmsg(SOCK_DIAG_BY_FAMILY, concat(inetDiagMsg({ family, state: 1, sport: 1, dport: 2, src, dst }), extra))

t.test('addresses use the kernel forms, cached or not', (t) => {
  const v6 = (...tail: number[]) => [...new Array<number>(16 - tail.length).fill(0), ...tail]
  const sockets = decodeRecords(
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
    sockets.map((s) => [s.localAddress, s.remoteAddress]),
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

t.test('records of other protocols are skipped', (t) => {
  const raw = records([msg(2, [1, 2, 3, 4], [5, 6, 7, 8])], 255)
  t.equal(raw.length, R.headerSize, 'the parser wrote a record')
  t.same(decodeRecords(raw), [], 'IPPROTO_RAW is not decoded as tcp/udp')
  t.end()
})

t.test('an empty buffer decodes to no sockets', (t) => {
  t.same(decodeRecords(new Uint8Array(0)), [])
  t.end()
})

t.test('a Uint8Array view at an offset decodes like the Buffer itself', (t) => {
  const one = records([msg(2, [1, 2, 3, 4], [5, 6, 7, 8], attr(8, u8(1)))])
  const padded = new Uint8Array(one.length + 16)
  padded.set(one, 8)
  t.same(decodeRecords(padded.subarray(8, 8 + one.length)), decodeRecords(one))
  t.end()
})

t.test('bytes that cannot be records throw RecordDecodeError', (t) => {
  const one = records([msg(2, [1, 2, 3, 4], [5, 6, 7, 8])])
  t.throws(() => decodeRecords(one.subarray(0, R.headerSize - 1)), RecordDecodeError, 'short of a header')
  const cases: [string, (v: DataView) => void][] = [
    ['size below the header', (v) => v.setUint32(R.size, 8, true)],
    ['size not a multiple of 8', (v) => v.setUint32(R.size, R.headerSize + 4, true)],
    ['size past the buffer', (v) => v.setUint32(R.size, R.headerSize + 8, true)],
    ['tail past the size', (v) => v.setUint16(R.tcpInfoLength, 8, true)],
  ]
  for (const [name, corrupt] of cases) {
    const bytes = Uint8Array.from(one)
    corrupt(new DataView(bytes.buffer))
    t.throws(() => decodeRecords(bytes), { name: 'RecordDecodeError', code: 'ERR_KNETSTAT_RECORD' }, name)
  }
  t.end()
})

t.test('decoding in chunks gives the same sockets as decoding at once', (t) => {
  const buf = records(Array.from({ length: 7 }, (_, i) => msg(2, [10, 0, 0, i], [10, 0, 1, i], attr(8, u8(i % 3)))))
  const whole = decodeRecords(buf)
  const chunks: number[] = []
  const pieces = []
  for (let at = 0; at < buf.length; ) {
    const { sockets, next } = decodeRecordChunk(buf, at, 3)
    chunks.push(sockets.length)
    pieces.push(...sockets)
    t.ok(next > at, 'progress')
    at = next
  }
  t.same(chunks, [3, 3, 1])
  t.same(pieces, whole)
  t.same(decodeRecordChunk(buf, buf.length, 3), { sockets: [], next: buf.length }, 'at the end')
  t.throws(() => decodeRecordChunk(buf, 4, 3), RangeError, 'not a record boundary')
  t.throws(() => decodeRecordChunk(buf, buf.length + 8, 3), RangeError, 'past the end')
  t.end()
})

t.test('a misaligned buffer decoded in chunks', (t) => {
  const one = records([msg(2, [1, 2, 3, 4], [5, 6, 7, 8]), msg(2, [1, 2, 3, 5], [5, 6, 7, 8])])
  const shifted = new Uint8Array(one.length + 4)
  shifted.set(one, 4)
  const view = shifted.subarray(4)
  const first = decodeRecordChunk(view, 0, 1)
  const second = decodeRecordChunk(view, first.next, 1)
  t.same([...first.sockets, ...second.sockets], decodeRecords(one))
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

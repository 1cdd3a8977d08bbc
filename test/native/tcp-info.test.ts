// struct tcp_info decoding by length (the diag flags derived from it are tested
// through the EntryDecoder, in entries.test.ts).
import t from 'tap'
import { alignedViews, readTcpInfo, TCP_INFO_KNOWN_SIZE, type TcpInfo } from '../../src/sources/netlink/index.js'
import { patternTcpInfo } from './fixtures/netlink-bytes.js'

// Where each field lives (include/uapi/linux/tcp.h), checked independently of the decoder.
const FIELDS: Record<keyof TcpInfo, [offset: number, size: number]> = {
  state: [0, 1], caState: [1, 1], retransmits: [2, 1], probes: [3, 1], backoff: [4, 1], options: [5, 1],
  sndWscale: [6, 1], rcvWscale: [6, 1], deliveryRateAppLimited: [7, 1], fastopenClientFail: [7, 1],
  rto: [8, 4], ato: [12, 4], sndMss: [16, 4], rcvMss: [20, 4], unacked: [24, 4], sacked: [28, 4], lost: [32, 4],
  retrans: [36, 4], fackets: [40, 4], lastDataSent: [44, 4], lastAckSent: [48, 4], lastDataRecv: [52, 4],
  lastAckRecv: [56, 4], pmtu: [60, 4], rcvSsthresh: [64, 4], rtt: [68, 4], rttvar: [72, 4], sndSsthresh: [76, 4],
  sndCwnd: [80, 4], advmss: [84, 4], reordering: [88, 4], rcvRtt: [92, 4], rcvSpace: [96, 4], totalRetrans: [100, 4],
  pacingRate: [104, 8], maxPacingRate: [112, 8], bytesAcked: [120, 8], bytesReceived: [128, 8], segsOut: [136, 4],
  segsIn: [140, 4], notsentBytes: [144, 4], minRtt: [148, 4], dataSegsIn: [152, 4], dataSegsOut: [156, 4],
  deliveryRate: [160, 8], busyTime: [168, 8], rwndLimited: [176, 8], sndbufLimited: [184, 8], delivered: [192, 4],
  deliveredCe: [196, 4], bytesSent: [200, 8], bytesRetrans: [208, 8], dsackDups: [216, 4], reordSeen: [220, 4],
  rcvOoopack: [224, 4], sndWnd: [228, 4], rcvWnd: [232, 4], rehash: [236, 4], totalRto: [240, 2],
  totalRtoRecoveries: [242, 2], totalRtoTime: [244, 4], receivedCe: [248, 4], deliveredE1Bytes: [252, 4],
  deliveredE0Bytes: [256, 4], deliveredCeBytes: [260, 4], receivedE1Bytes: [264, 4], receivedE0Bytes: [268, 4],
  receivedCeBytes: [272, 4], ecnMode: [276, 4], accecnOptSeen: [276, 4], accecnFailMode: [276, 4], options2: [276, 4],
}

const decode = (bytes: Uint8Array): TcpInfo => readTcpInfo(alignedViews(bytes), 0, bytes.length)

t.test('every field is null exactly when the kernel\'s length does not cover it', (t) => {
  // Lengths of real kernels (104: 3.x, 232: 6.1, 248: 6.7, 280: 6.18+) and every cut in between.
  for (let length = 0; length <= TCP_INFO_KNOWN_SIZE + 8; length++) {
    const info = decode(patternTcpInfo(length))
    t.same(Object.keys(info).sort(), Object.keys(FIELDS).sort())
    for (const [name, [offset, size]] of Object.entries(FIELDS)) {
      const value = info[name as keyof TcpInfo]
      if ((value === null) !== (offset + size > length)) t.fail(`length ${length}: ${name} is ${String(value)}`)
    }
  }
  t.end()
})

t.test('field values at their offsets', (t) => {
  const info = decode(patternTcpInfo(TCP_INFO_KNOWN_SIZE))
  for (const [name, [offset, size]] of Object.entries(FIELDS)) {
    if (size === 4 && offset >= 8 && offset !== 276) t.equal(info[name as keyof TcpInfo], offset, name)
  }
  t.equal(info.state, 1)
  t.equal(info.options, 6)
  t.equal(info.pacingRate, 108 * 2 ** 32 + 104, 'u64 = high * 2^32 + low')
  t.end()
})

t.test('bitfields and 16-bit fields', (t) => {
  const bytes = new Uint8Array(TCP_INFO_KNOWN_SIZE)
  const view = new DataView(bytes.buffer)
  view.setUint8(6, 0x7a) // snd_wscale 10 (low nibble), rcv_wscale 7 (high nibble)
  view.setUint8(7, 0b101) // app_limited 1, fastopen_client_fail 2
  view.setUint16(240, 513, true)
  view.setUint16(242, 3, true)
  // ecn_mode 2 (bits 0-1), accecn_opt_seen 3 (2-3), accecn_fail_mode 9 (4-7), options2 0xabcdef (8-31)
  view.setUint32(276, 2 | (3 << 2) | (9 << 4) | (0xabcdef << 8), true)
  const info = decode(bytes)
  t.match(info, {
    sndWscale: 10,
    rcvWscale: 7,
    deliveryRateAppLimited: true,
    fastopenClientFail: 2,
    totalRto: 513,
    totalRtoRecoveries: 3,
    ecnMode: 2,
    accecnOptSeen: 3,
    accecnFailMode: 9,
    options2: 0xabcdef,
  })
  t.end()
})

t.test('64-bit counters beyond 2^32 are exact numbers', (t) => {
  const bytes = new Uint8Array(TCP_INFO_KNOWN_SIZE)
  new DataView(bytes.buffer).setBigUint64(120, 2n ** 52n + 3n, true)
  t.equal(decode(bytes).bytesAcked, 2 ** 52 + 3)
  t.end()
})

t.test('tcp_info at an unaligned offset of a bigger buffer', (t) => {
  const bytes = new Uint8Array(300)
  new DataView(bytes.buffer).setUint32(10 + 68, 1234, true)
  const info = decode(bytes.subarray(10, 10 + 72))
  t.equal(info.rtt, 1234)
  t.equal(info.rttvar, null, 'the length stops before rttvar')
  t.end()
})

// The four files, written by hand from docs/format.md, parse to the entries they
// describe and format back byte for byte.
import { test } from 'tap'
import { formatKnetstat, parseKnetstat, type SocketEntry } from '../../src/index.js'
import { TCP_HEADER, textFixture as fixture, UDP_HEADER } from '../helpers/knetstat-text.js'

const FILES = ['tcpstat', 'tcp6stat', 'udpstat', 'udp6stat']

test('every fixture formats back to itself', async (t) => {
  for (const name of FILES) {
    const text = fixture(name)
    t.equal(formatKnetstat(parseKnetstat(text)), text, name)
  }
})

test('proto from the header, family from the addresses', async (t) => {
  const expected: Record<string, [string, number, number]> = {
    tcpstat: ['tcp', 4, 17],
    tcp6stat: ['tcp', 6, 5],
    udpstat: ['udp', 4, 3],
    udp6stat: ['udp', 6, 3],
  }
  for (const name of FILES) {
    const table = parseKnetstat(fixture(name))
    const [proto, family, count] = expected[name] as [string, number, number]
    t.equal(table.proto, proto, `${name} proto`)
    t.equal(table.family, family, `${name} family`)
    t.equal(table.length, count, `${name} count`)
    for (const entry of table) {
      t.equal(entry.proto, proto)
      t.equal(entry.family, family)
      t.equal(entry.uid, null, 'text carries no uid')
      t.equal(entry.inode, null, 'text carries no inode')
    }
  }
})

test('every TCP state code', async (t) => {
  const states = parseKnetstat(fixture('tcpstat')).map((e) => e.state)
  t.same(states, [
    'LISTEN',
    'LISTEN',
    'ESTABLISHED',
    'ESTABLISHED',
    'ESTABLISHED',
    'ESTABLISHED',
    'ESTABLISHED',
    'SYN_SENT',
    'SYN_RECV',
    'FIN_WAIT1',
    'FIN_WAIT2',
    'TIME_WAIT',
    'CLOSE',
    'CLOSE_WAIT',
    'LAST_ACK',
    'CLOSING',
    'BOUND_INACTIVE',
  ])
})

test('every option of the table, with its unit', async (t) => {
  const [, , full] = parseKnetstat(fixture('tcpstat')) as SocketEntry[]
  t.same(full?.options, {
    SO_REUSEADDR: true,
    SO_REUSEPORT: false,
    SO_KEEPALIVE: true,
    TCP_KEEPIDLE: 60,
    TCP_KEEPCNT: 5,
    TCP_KEEPINTVL: 10,
    TCP_USER_TIMEOUT: 30000,
    SO_RCVBUF: 65536,
    SO_SNDBUF: 131072,
    SO_RCVTIMEO: 1500,
    SO_SNDTIMEO: 250,
    SO_LINGER: 7,
    TCP_NODELAY: true,
    TCP_DEFER_ACCEPT: 0,
  })
  t.equal(full?.optionsSource, 'module')
  const [, listener] = parseKnetstat(fixture('tcpstat'))
  t.equal(listener?.options?.TCP_FASTOPEN, 16)
  t.equal(listener?.options?.TCP_DEFER_ACCEPT, 5)
  t.equal(listener?.recvQ, 3, 'accept backlog in Recv-Q')

  const [broadcast, udp] = parseKnetstat(fixture('udpstat'))
  t.equal(broadcast?.options?.SO_BROADCAST, true)
  t.same(udp?.options, {
    SO_REUSEADDR: true,
    SO_REUSEPORT: true,
    SO_RCVBUF: 1048576,
    SO_SNDBUF: 262144,
    SO_RCVTIMEO: 100,
    SO_SNDTIMEO: 2000,
    SO_LINGER: 3,
    SO_BROADCAST: false,
  })
})

test('every diag code', async (t) => {
  const diags = parseKnetstat(fixture('tcpstat')).slice(2, 8).map((e) => e.diag)
  t.same(diags, [
    { sendWindowZero: false, receiveWindowZero: false, ackStalled: false },
    { sendWindowZero: true, receiveWindowZero: false, ackStalled: null },
    { sendWindowZero: false, receiveWindowZero: true, ackStalled: null },
    { sendWindowZero: true, receiveWindowZero: true, ackStalled: null },
    { sendWindowZero: false, receiveWindowZero: false, ackStalled: true },
    { sendWindowZero: false, receiveWindowZero: false, ackStalled: false },
  ])
})

test('queues, endpoints and port *', async (t) => {
  const entries = parseKnetstat(fixture('tcpstat'))
  t.same(entries[3]?.sendQ, 81920)
  t.same(entries[4]?.recvQ, 212992, 'a queue wider than its column')
  t.same(entries[0]?.remote, { address: '0.0.0.0', port: 0 })
  t.same(entries[12]?.local, { address: '0.0.0.0', port: 0 })
})

test('IPv6: compressed, unspecified, IPv4-mapped, longer than the column', async (t) => {
  const entries = parseKnetstat(fixture('tcp6stat'))
  t.same(entries[0]?.local, { address: '::1', port: 6010 })
  t.same(entries[0]?.remote, { address: '::', port: 0 })
  t.same(entries[1]?.local, { address: '::', port: 22 })
  t.same(entries[2]?.local, { address: '::ffff:127.0.0.1', port: 8080 })
  t.same(entries[3]?.local, { address: '2001:db8:85a3::8a2e:370:7334', port: 443 })
  t.same(entries[3]?.remote, { address: '2001:db8:1234:5678:9abc:def0:1234:5678', port: 61000 })
  t.equal(entries[3]?.diag.ackStalled, true, 'diag after long addresses')
})

test('TIME_WAIT and SYN_RECV lines have no options', async (t) => {
  const entries = parseKnetstat(fixture('tcpstat'))
  const synr = entries[8] as SocketEntry
  const timw = entries[11] as SocketEntry
  t.equal(synr.state, 'SYN_RECV')
  t.equal(synr.options, null)
  t.equal(synr.optionsSource, null)
  t.equal(timw.state, 'TIME_WAIT')
  t.equal(timw.options, null)
})

test('UDP state: CLOSE unconnected, ESTABLISHED connected', async (t) => {
  t.same(
    parseKnetstat(fixture('udpstat')).map((e) => e.state),
    ['CLOSE', 'CLOSE', 'ESTABLISHED'],
  )
  t.same(
    parseKnetstat(fixture('udp6stat')).map((e) => e.remote),
    [
      { address: '::', port: 0 },
      { address: '::1', port: 53 },
      { address: '::ffff:127.0.0.1', port: 53 },
    ],
  )
})

test('text of an older module build: fewer options, a trailing space after TIMW', async (t) => {
  const entries = parseKnetstat(fixture('tcpstat.old-module'))
  t.same(entries[0]?.options, { SO_REUSEADDR: true, SO_KEEPALIVE: false, TCP_NODELAY: false, TCP_DEFER_ACCEPT: 0 })
  t.same(entries[1]?.options, { SO_REUSEADDR: true, SO_KEEPALIVE: true, TCP_NODELAY: true })
  t.equal(entries[2]?.state, 'TIME_WAIT')
  t.equal(entries[2]?.options, null)
  t.equal(
    formatKnetstat(entries),
    fixture('tcpstat.old-module').replace('TIMW \n', 'TIMW\n'),
    'formats as today’s module does',
  )
})

test('unknown NAME=value pairs from a newer module are kept', async (t) => {
  const line = (options: string): string => `     0      0 127.0.0.1:22            127.0.0.1:5000          ESTB      ${options}\n`
  const module = 'SO_REUSEADDR=1,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0'
  const text = `${TCP_HEADER}\n${line(`${module},TCP_CONGESTION=bbr,TCP_FUTURE=42,SO_NEWTHING=on`)}`
  const [entry] = parseKnetstat(text)
  t.same(entry?.otherOptions, { TCP_FUTURE: '42', SO_NEWTHING: 'on' }, 'unknown values stay text, in otherOptions')
  t.equal(entry?.options?.TCP_CONGESTION, 'bbr', 'a known option past the module set is typed')
  t.notOk(Object.hasOwn(entry?.options ?? {}, 'TCP_FUTURE'), 'an unknown option is not in options')
  t.equal(formatKnetstat(parseKnetstat(text)), text)
  // Known and unknown options live in two objects; the order of a parsed line is
  // remembered (invisibly), so that a known option after an unknown one stays there.
  const interleaved = `${TCP_HEADER}\n${line(`${module},TCP_FUTURE=42,SO_NEWTHING=on,TCP_CONGESTION=bbr`)}`
  t.same(parseKnetstat(interleaved), parseKnetstat(text), 'an unknown option before a known one reads the same')
  t.equal(formatKnetstat(parseKnetstat(interleaved)), interleaved, 'and is written back byte for byte')
  const [copy] = parseKnetstat(interleaved).map((e) => ({ ...e, options: { ...e.options } }))
  t.equal(formatKnetstat(copy === undefined ? [] : [copy], { proto: 'tcp' }), text, 'a copy is written known first')
})

test('an empty table keeps its proto and the hint’s family', async (t) => {
  const udp = `${UDP_HEADER}\n`
  const table = parseKnetstat(udp, { family: 6 })
  t.equal(table.length, 0)
  t.equal(table.proto, 'udp')
  t.equal(table.family, 6)
  t.equal(formatKnetstat(table), udp)
  t.equal(formatKnetstat([], { proto: 'udp' }), udp)
  t.throws(() => formatKnetstat([]), TypeError)
})

test('text without its final newline still parses', async (t) => {
  const text = fixture('udpstat')
  t.same(parseKnetstat(text.slice(0, -1)), parseKnetstat(text))
})

test('formatting entries from another source', async (t) => {
  const entry: SocketEntry = {
    proto: 'tcp',
    family: 6,
    state: 'NEW_SYN_RECV',
    recvQ: 0,
    sendQ: 0,
    local: { address: '0:0:0:0:0:0:0:1', port: 443 },
    remote: { address: '::FFFF:7F00:1', port: 1234 },
    uid: 1000,
    inode: 0,
    diag: { sendWindowZero: null, receiveWindowZero: null, ackStalled: null },
    options: null,
    optionsSource: null,
  }
  t.equal(
    formatKnetstat([entry]),
    `${TCP_HEADER}\n` +
      '     0      0 ::1:443                 ::ffff:127.0.0.1:1234   SYNR\n',
    'canonical addresses, SYNR for NEW_SYN_RECV, no options',
  )
  const established = { ...entry, state: 'ESTABLISHED' as const, diag: { sendWindowZero: true, receiveWindowZero: false, ackStalled: null } }
  t.match(formatKnetstat([established]), / ESTB >\|\n$/, 'a diag code with no options')
  const udp: SocketEntry = { ...entry, proto: 'udp', state: 'CLOSE', options: { SO_BROADCAST: true, SO_REUSEADDR: false, SO_BINDTODEVICE: 'eth 0,x' } }
  t.match(formatKnetstat([udp]), /SO_REUSEADDR=0,SO_BROADCAST=1,SO_BINDTODEVICE=eth\\x200\\x2cx\n$/, 'module order, then others, escaped')
  t.equal(parseKnetstat(formatKnetstat([udp]))[0]?.options?.SO_BINDTODEVICE, 'eth 0,x')
})

test('formatKnetstat rejects entries it cannot write', async (t) => {
  const good = parseKnetstat(fixture('tcpstat'))[0] as SocketEntry
  const cases: [string, Partial<SocketEntry>, RegExp][] = [
    ['negative queue', { recvQ: -1 }, /entries\[0\]\.recvQ/],
    ['bad port', { local: { address: '1.2.3.4', port: 70000 } }, /entries\[0\]\.local\.port/],
    ['bad address', { remote: { address: 'localhost', port: 1 } }, /entries\[0\]\.remote\.address "localhost"/],
    ['bad state', { state: 'OPEN' as never }, /entries\[0\]\.state is "OPEN"/],
    ['wrong proto', { proto: 'udp' }, /entries\[0\]\.proto/],
    ['wrong type', { options: { TCP_NODELAY: 1 as never } }, /TCP_NODELAY has a value of the wrong type/],
    ['bad name', { options: { 'tcp nodelay': true } as never }, /bad name/],
    ['unknown name in options', { options: { TCP_NODLAY: true } as never }, /options\.TCP_NODLAY: unknown socket option "TCP_NODLAY" \(did you mean TCP_NODELAY\?\).*go in otherOptions/],
    ['bad name in otherOptions', { otherOptions: { 'so future': 'x' } }, /entries\[0\]\.otherOptions has a bad name "so future"/],
    ['known name in otherOptions', { otherOptions: { TCP_NODELAY: '1' } }, /otherOptions\.TCP_NODELAY is an option knetstat knows: it goes in options/],
    ['value not text in otherOptions', { otherOptions: { SO_FUTURE: 1 as never } }, /otherOptions\.SO_FUTURE must be a string/],
    ['otherOptions without options', { options: null, otherOptions: { SO_FUTURE: 'x' } }, /otherOptions is set but options is null/],
  ]
  for (const [what, change, message] of cases) {
    t.throws(() => formatKnetstat([{ ...good, ...change }], { proto: 'tcp' }), { name: 'TypeError', message }, what)
  }
})

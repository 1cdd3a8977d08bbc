// The module source on the host (which cannot load the module): the join of module
// lines to netlink entries as a pure function over fixtures, the live listing wired to
// a directory standing in for /proc/net, and the 'module' rejection without the files.
import * as dgram from 'node:dgram'
import { createServer } from 'node:net'
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { listSockets, formatKnetstat, KnetstatParseError, type SocketEntry } from '../../src/index.js'
import { listSocketsWith } from '../../src/list.js'
import { streamSocketsWith } from '../../src/stream.js'
import { joinModule, joinKey, parseModuleTexts } from '../../src/sources/module/index.js'
import { parseArgs } from '../../src/cli/args.js'
import { knetstat } from '../helpers/cli.js'
import { moduleTable, netlinkLike, TCP_HEADER, UDP_HEADER, writeTables } from '../helpers/knetstat-text.js'

const scratch = mkdtempSync(join(tmpdir(), 'knetstat-module-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

/** Netlink-like entries for the same sockets: an inode each (0 for the lines without options), uid 1000. */
function fromNetlink(text: string, family: 4 | 6, firstInode: number): SocketEntry[] {
  return netlinkLike(text, family, (e, i) => ({ inode: e.options === null ? 0 : firstInode + i, uid: 1000 }))
}

const TCP4 = `${TCP_HEADER}
     0      0 127.0.0.1:6010          0.0.0.0:*               LSTN      SO_REUSEADDR=1,SO_REUSEPORT=1,SO_KEEPALIVE=0,SO_RCVBUF=10000,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0
     0      0 127.0.0.1:6010          0.0.0.0:*               LSTN      SO_REUSEADDR=1,SO_REUSEPORT=1,SO_KEEPALIVE=1,SO_RCVBUF=20000,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0
     0      0 127.0.0.1:6010          0.0.0.0:*               LSTN      SO_REUSEADDR=1,SO_REUSEPORT=1,SO_KEEPALIVE=0,SO_RCVBUF=30000,TCP_NODELAY=1,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0
  4096      0 127.0.0.1:6011          127.0.0.1:40000         ESTB |<   SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,SO_RCVBUF=2304,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0
     0   9000 127.0.0.1:40000         127.0.0.1:6011          ESTB >|   SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0
     0      0 127.0.0.1:6012          127.0.0.1:40001         SYNR
     0      0 127.0.0.1:40002         127.0.0.1:6013          TIMW
`
const UDP4 = `${UDP_HEADER}
     0      0 0.0.0.0:5353            0.0.0.0:*               SO_REUSEADDR=1,SO_REUSEPORT=0,SO_BROADCAST=0
     0      0 0.0.0.0:5353            0.0.0.0:*               SO_REUSEADDR=1,SO_REUSEPORT=0,SO_RCVBUF=65536,SO_BROADCAST=1
   768      0 127.0.0.1:7000          127.0.0.1:7001          SO_REUSEADDR=0,SO_REUSEPORT=0,SO_BROADCAST=0
`

t.test('every entry takes its own line: SO_REUSEPORT siblings by position', async (t) => {
  const entries = [...fromNetlink(TCP4, 4, 100), ...fromNetlink(UDP4, 4, 200)]
  const stats = await joinModule(entries, [moduleTable(TCP4, 4), moduleTable(UDP4, 4)])
  t.same(stats, { matched: 10, agreed: 0, ambiguous: 0, unmatched: 0, unusedLines: 0, withheld: 0 })
  const listeners = entries.filter((e) => e.state === 'LISTEN')
  t.same(listeners.map((e) => [e.inode, e.options?.SO_RCVBUF, e.options?.SO_KEEPALIVE]), [
    [100, 10000, false],
    [101, 20000, true],
    [102, 30000, false],
  ], 'the k-th listener of a key gets the k-th line of that key')
  t.ok(entries.filter((e) => e.options !== null).every((e) => e.optionsSource === 'module' && e.optionsError === undefined))
  const receiver = entries.find((e) => e.local.port === 6011) as SocketEntry
  t.same(receiver.diag, { sendWindowZero: false, receiveWindowZero: true, ackStalled: null }, 'diag flags come from the module')
  t.same((entries.find((e) => e.local.port === 40000) as SocketEntry).diag.sendWindowZero, true)
  t.same((entries.find((e) => e.local.port === 6010) as SocketEntry).diag, { sendWindowZero: false, receiveWindowZero: false, ackStalled: false })
  for (const port of [6012, 40002]) {
    const e = entries.find((x) => x.local.port === port) as SocketEntry
    t.equal(e.options, null, `${e.state}: no options`)
    t.equal(e.optionsSource, null)
    t.equal(e.optionsError?.code, 'ENOENT')
  }
  const udp = entries.filter((e) => e.proto === 'udp')
  t.same(udp.map((e) => e.options?.SO_BROADCAST), [false, true, false], 'UDP siblings too')
  // Formatting the joined entries gives the module's text back.
  t.equal(formatKnetstat(entries.filter((e) => e.proto === 'tcp'), { proto: 'tcp' }), TCP4)
  t.equal(formatKnetstat(udp, { proto: 'udp' }), UDP4)
})

t.test('keys: request sockets as NEW_SYN_RECV, UDP state left out', async (t) => {
  const [request] = fromNetlink(`${TCP_HEADER}\n     0      0 127.0.0.1:6012          127.0.0.1:40001         SYNR\n`, 4, 1)
  t.equal(joinKey({ ...(request as SocketEntry), state: 'NEW_SYN_RECV' }), joinKey(request as SocketEntry))
  const [udp] = fromNetlink(UDP4, 4, 1)
  t.equal(joinKey({ ...(udp as SocketEntry), state: 'ESTABLISHED' }), joinKey(udp as SocketEntry))
  t.not(joinKey({ ...(request as SocketEntry), family: 6 }), joinKey(request as SocketEntry), 'family is in the key')
})

t.test('a key whose count differs: options only when every line agrees', async (t) => {
  // One of three differing listeners closed between the two reads.
  const entries = fromNetlink(TCP4, 4, 100).filter((e) => e.inode !== 101)
  const stats = await joinModule(entries, [moduleTable(TCP4, 4)])
  t.same(stats, { matched: 4, agreed: 0, ambiguous: 2, unmatched: 0, unusedLines: 1, withheld: 0 })
  for (const e of entries.filter((x) => x.state === 'LISTEN')) {
    t.equal(e.options, null)
    t.equal(e.optionsError?.code, 'EAGAIN')
    t.match(e.optionsError?.message, /list again/)
  }
  // Siblings that agree: which line is whose does not matter.
  const same = `${TCP_HEADER}
     0      0 0.0.0.0:80              0.0.0.0:*               LSTN      SO_REUSEADDR=1,SO_REUSEPORT=1,SO_KEEPALIVE=0,TCP_NODELAY=1,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0
     0      0 0.0.0.0:80              0.0.0.0:*               LSTN      SO_REUSEADDR=1,SO_REUSEPORT=1,SO_KEEPALIVE=0,TCP_NODELAY=1,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0
`
  const two = fromNetlink(same, 4, 1)
  const three = [...two, { ...(two[0] as SocketEntry), inode: 3 }]
  t.same(await joinModule(three, [moduleTable(same, 4)]), { matched: 0, agreed: 3, ambiguous: 0, unmatched: 0, unusedLines: 0, withheld: 0 })
  t.ok(three.every((e) => e.options?.TCP_NODELAY === true && e.optionsSource === 'module'))
})

t.test('missing and extra lines', async (t) => {
  const entries = fromNetlink(TCP4, 4, 100)
  // A connection made after the module's file was read, and a bound-only socket (6.7+).
  const late = { ...(entries[3] as SocketEntry), local: { address: '127.0.0.1', port: 6099 }, inode: 999 }
  const bound = { ...(entries[0] as SocketEntry), state: 'BOUND_INACTIVE' as const, inode: 998 }
  // The module's file still has a socket that closed before the dump.
  const gone = TCP4 + '     0      0 127.0.0.1:6098          127.0.0.1:40009         ESTB      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0\n'
  const all = [...entries, late, bound]
  const stats = await joinModule(all, [moduleTable(gone, 4)])
  t.same(stats, { matched: 7, agreed: 0, ambiguous: 0, unmatched: 2, unusedLines: 1, withheld: 0 })
  t.equal(late.optionsError?.code, 'ENOENT')
  t.match(late.optionsError?.message, /created or closed between/)
  t.match(bound.optionsError?.message, /BOUND_INACTIVE/)
  t.equal(late.options, null)
})

t.test('entries of a table the module did not give are left alone', async (t) => {
  const v6 = fromNetlink(`${TCP_HEADER}\n     0      0 ::1:6010                :::*                    LSTN      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0\n`, 6, 1)
  const stats = await joinModule(v6, [moduleTable(TCP4, 4)])
  t.equal(stats.unmatched, 0)
  t.equal(v6[0]?.optionsError, undefined)
})

t.test('large files parse in slices; errors name the file and the line', async (t) => {
  const line = '     0      0 127.0.0.1:6011          127.0.0.1:40000         ESTB      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0\n'
  const big = TCP_HEADER + '\n' + line.repeat(3000)
  const [parsed] = await parseModuleTexts({ tcpstat: big }, '/x')
  t.equal(parsed?.lines.length, 3000)
  const bad = TCP_HEADER + '\n' + line.repeat(1500) + line.replace('ESTB', 'XXXX') + line.repeat(10)
  const error = await parseModuleTexts({ tcpstat: bad }, '/x').then(() => null, (e: unknown) => e)
  t.ok(error instanceof KnetstatParseError, 'a KnetstatParseError')
  t.match(error, { line: 1502, file: '/x/tcpstat', message: /^\/x\/tcpstat: line 1502, column \d+: unknown state code "XXXX"/ })
  const empty = await parseModuleTexts({ tcpstat: TCP_HEADER + '\n', udp6stat: UDP_HEADER + '\n' }, '/x')
  t.same(empty.map((x) => [x.proto, x.family, x.lines.length]), [['tcp', 4, 0], ['udp', 6, 0]])
})

t.test("options: 'module' without the module's files rejects with ENOENT and how to load it", async (t) => {
  const none = join(scratch, 'none')
  mkdirSync(none)
  await t.rejects(listSocketsWith({ options: 'module' }, { moduleDir: none }), {
    code: 'ENOENT',
    message: /knetstat kernel module is not loaded.*make -C kernel && sudo insmod kernel\/knetstat\.ko.*docs\/kernel-module\.md/,
  })
  // A host without the module (the tests' hosts cannot load it): the public function says the same.
  if (!existsSync('/proc/net/tcpstat')) await t.rejects(listSockets({ options: 'module' }), { code: 'ENOENT', message: /insmod/ })
  // A listener of this process: the next source reads it (bpf as root, else pidfd,
  // which may always read its own sockets).
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const port = (server.address() as { port: number }).port
  const auto = await listSocketsWith({ options: 'auto', proto: 'tcp', localPort: port }, { moduleDir: none })
  const next = process.geteuid?.() === 0 ? 'bpf' : 'pidfd'
  t.notOk(auto.some((e) => e.optionsSource === 'module'), `'auto' falls back to ${next}`)
  t.ok(auto.some((e) => e.optionsSource === next && e.state === 'LISTEN'), `this process's own listener has options from ${next}`)
})

t.test('a live listing joined to a stand-in directory of module files', async (t) => {
  // Three UDP sockets on one port (SO_REUSEADDR): identical keys, listed by netlink in
  // hash order. Fake module files give each a distinct SO_RCVBUF, in netlink's order.
  const sockets: dgram.Socket[] = []
  for (let i = 0; i < 3; i++) {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true })
    await new Promise<void>((resolve) => s.bind(i === 0 ? 0 : (sockets[0] as dgram.Socket).address().port, '127.0.0.1', resolve))
    sockets.push(s)
  }
  t.teardown(() => sockets.forEach((s) => s.close()))
  const port = (sockets[0] as dgram.Socket).address().port
  const live = await listSockets({ options: false, proto: 'udp', family: 4, port })
  t.equal(live.length, 3)
  const fake = live.map((e, i) => ({ ...e, options: { SO_REUSEADDR: true, SO_REUSEPORT: false, SO_RCVBUF: 1000 * (i + 1), SO_BROADCAST: false } }))
  const dir = join(scratch, 'proc-net')
  mkdirSync(dir)
  writeTables(dir, fake)
  for (const options of ['module', 'auto'] as const) {
    const joined = await listSocketsWith({ options, proto: 'udp', family: 4, port, processes: options === 'auto' }, { moduleDir: dir })
    t.same(joined.map((e) => [e.inode, e.optionsSource, e.options?.SO_RCVBUF]), live.map((e, i) => [e.inode, 'module', 1000 * (i + 1)]), `${options}: each socket its own line`)
    if (options === 'auto') t.ok(joined.every((e) => e.processes?.some((p) => p.pid === process.pid)), 'processes still attached')
  }
  // A stream with 'auto' and the module there: the same join, yielded entry by entry.
  const streamed: SocketEntry[] = []
  for await (const e of streamSocketsWith({ options: 'auto', proto: 'udp', family: 4, port, processes: true }, { moduleDir: dir })) streamed.push(e)
  t.same(streamed.map((e) => [e.inode, e.optionsSource, e.options?.SO_RCVBUF]), live.map((e, i) => [e.inode, 'module', 1000 * (i + 1)]), 'stream: each socket its own line')
  t.ok(streamed.every((e) => e.processes?.some((p) => p.pid === process.pid)), 'stream: processes attached')
  t.throws(() => streamSocketsWith({ options: 'module' }, { moduleDir: dir }), { name: 'TypeError', message: /options 'module' is not supported by streamSockets/ })
})

t.test('the command: --source module', { skip: existsSync('/proc/net/tcpstat') && 'the module is loaded here' }, async (t) => {
  t.equal((parseArgs(['--source', 'module']) as { source: string }).source, 'module')
  t.throws(() => parseArgs(['--source', 'kernel']), /use auto, module, bpf, pidfd or netlink/)
  const r = knetstat(['--source', 'module'])
  t.equal(r.status, 1, 'fails on a host without the module')
  t.match(r.stderr, /knetstat kernel module is not loaded.*insmod/)
  t.equal(r.stdout, '')
})

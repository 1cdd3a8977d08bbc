// Replay: listSockets over recorded knetstat text, with the queries, filters and
// result shapes of live listings; record on a live host, replay, compare.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { KnetstatParseError, listSockets, recordTables, ReplayError, type SocketEntry } from '../../src/index.js'
import { TCP_HEADER, TEXT_FIXTURES as FIXTURES, textFixture as fixture, UDP_HEADER } from '../helpers/knetstat-text.js'
import { holdOptions } from '../helpers/sockopt-holder.js'

const scratch = mkdtempSync(join(tmpdir(), 'knetstat-replay-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

t.test('a directory of the four files replays like a live listing', async (t) => {
  const all = await listSockets({ procNet: FIXTURES })
  t.equal(all.length, 17 + 5 + 3 + 3, 'every line of every file')
  t.same(
    [...new Set(all.map((e) => `${e.proto}${e.family}`))],
    ['tcp4', 'tcp6', 'udp4', 'udp6'],
    'in table order',
  )
  const first = all[0] as SocketEntry
  t.equal(first.uid, null, 'the text carries no uid')
  t.equal(first.inode, null, 'nor an inode')
  t.equal(first.tcpInfo, null, 'nor tcp_info')
  t.equal(first.optionsSource, 'module')
  t.equal(all.find((e) => e.proto === 'udp')?.tcpInfo, undefined, 'UDP has no tcp_info field, as live')
})

t.test('queries filter a replay as they filter the kernel', async (t) => {
  const listening = await listSockets({ procNet: FIXTURES, state: 'LISTEN' })
  t.same(
    listening.map((e) => `${e.local.address}:${e.local.port}`),
    ['127.0.0.1:6010', '0.0.0.0:8080', '::1:6010', ':::22'],
  )
  const udp6 = await listSockets({ procNet: FIXTURES, proto: 'udp', family: 6 })
  t.equal(udp6.length, 3)
  t.ok(udp6.every((e) => e.proto === 'udp' && e.family === 6))
  const port = await listSockets({ procNet: FIXTURES, port: 8080 })
  t.ok(port.length > 0 && port.every((e) => e.local.port === 8080 || e.remote.port === 8080))
  const range = await listSockets({ procNet: FIXTURES, localPort: { from: 40000, to: 40002 } })
  t.same(range.map((e) => e.local.port), [40000, 40001, 40002])
  const stalled = await listSockets({ procNet: FIXTURES, state: 'ESTABLISHED' })
  t.ok(stalled.some((e) => e.diag.ackStalled === true), 'diag flags come from the text')
  const subnet = await listSockets({ procNet: FIXTURES, remoteAddress: '10.0.0.0/8' })
  t.same(subnet.map((e) => `${e.remote.address}:${e.remote.port}`), ['10.0.0.9:443', '10.0.0.9:443'], 'address filters too')
  const mapped = await listSockets({ procNet: FIXTURES, localAddress: '127.0.0.1', family: 6 })
  t.ok(mapped.length > 0 && mapped.every((e) => e.local.address === '::ffff:127.0.0.1'), 'an IPv4 address matches IPv4-mapped sockets')
  const noOptions = await listSockets({ procNet: FIXTURES, options: false })
  t.ok(noOptions.every((e) => e.options === null && e.optionsSource === null), 'options: false drops them')
})

t.test('texts given as strings, any subset', async (t) => {
  const entries = await listSockets({ procNet: { udpstat: fixture('udpstat') } })
  t.equal(entries.length, 3)
  t.ok(entries.every((e) => e.proto === 'udp' && e.family === 4))
  t.same(await listSockets({ procNet: { udpstat: fixture('udpstat') }, proto: 'tcp' }), [], 'a table left out has no sockets')
  await t.rejects(listSockets({ procNet: { tcpstats: '' } as never }), { name: 'TypeError', message: /procNet\.tcpstats is not a knetstat file/ })
  await t.rejects(listSockets({ procNet: { tcpstat: 42 } as never }), { name: 'TypeError', message: /procNet\.tcpstat must be the file's text/ })
  await t.rejects(listSockets({ procNet: FIXTURES, options: 'pidfd' }), { name: 'TypeError', message: /options 'pidfd' reads the live kernel/ })
  await t.rejects(listSockets({ procNet: FIXTURES, options: 'bpf' }), { name: 'TypeError', message: /options 'bpf' reads the live kernel/ })
  await t.rejects(listSockets({ procNet: FIXTURES, processes: true }), { name: 'TypeError', message: /a recording \(procNet\) has no processes/ })
})

t.test('the KNETSTAT_PROC_NET environment variable selects a recording', async (t) => {
  process.env.KNETSTAT_PROC_NET = FIXTURES
  t.teardown(() => {
    delete process.env.KNETSTAT_PROC_NET
  })
  const entries = await listSockets({ proto: 'udp', family: 6 })
  t.same(
    entries.map((e) => e.local.port),
    [5353, 41001, 41002],
  )
})

t.test('errors name the directory, the file and the line; nothing partial', async (t) => {
  await t.rejects(listSockets({ procNet: join(scratch, 'missing') }), {
    name: 'ReplayError',
    code: 'ENOENT',
    message: new RegExp(`cannot open the recording ${scratch}/missing \\(ENOENT\\)`),
  })
  const notDir = join(scratch, 'a-file')
  writeFileSync(notDir, 'x')
  await t.rejects(listSockets({ procNet: notDir }), { name: 'ReplayError', code: 'ENOTDIR', message: /is not a directory/ })
  const empty = join(scratch, 'empty')
  mkdirSync(empty)
  await t.rejects(listSockets({ procNet: empty }), { name: 'ReplayError', message: /holds none of tcpstat, tcp6stat, udpstat, udp6stat/ })

  const bad = join(scratch, 'bad')
  mkdirSync(bad)
  writeFileSync(join(bad, 'tcpstat'), fixture('tcpstat'))
  writeFileSync(join(bad, 'udpstat'), fixture('udpstat').replace('127.0.0.1:53 ', '127.0.0.1:99999'))
  const error = await listSockets({ procNet: bad }).catch((e: unknown) => e)
  t.type(error, KnetstatParseError, 'malformed text is a KnetstatParseError')
  t.match((error as KnetstatParseError).message, new RegExp(`^${bad}/udpstat: line 4, column \\d+: bad port "99999"`))
  t.equal((error as KnetstatParseError).file, join(bad, 'udpstat'))

  const wrongTable = join(scratch, 'wrong')
  mkdirSync(wrongTable)
  writeFileSync(join(wrongTable, 'tcp6stat'), fixture('tcpstat'))
  await t.rejects(listSockets({ procNet: wrongTable }), { name: 'KnetstatParseError', message: /tcp6stat: line 2, column 1: IPv4 socket in a table of IPv6 sockets/ })

  if (process.getuid?.() === 0) {
    // root reads any mode: an unreadable file is shown with a directory in its place.
    const unreadable = join(scratch, 'unreadable')
    mkdirSync(join(unreadable, 'tcpstat'), { recursive: true })
    await t.rejects(listSockets({ procNet: unreadable }), { name: 'ReplayError', code: 'EISDIR', message: /cannot read .*tcpstat \(EISDIR\)/ })
  } else {
    const unreadable = join(scratch, 'unreadable')
    mkdirSync(unreadable)
    writeFileSync(join(unreadable, 'tcpstat'), fixture('tcpstat'))
    chmodSync(join(unreadable, 'tcpstat'), 0)
    await t.rejects(listSockets({ procNet: unreadable }), { name: 'ReplayError', code: 'EACCES' })
  }
  t.type(new ReplayError('x', 'ENOENT', '/x'), Error)
})

t.test('record a live host with known sockets, replay it, compare', async (t) => {
  const holder = await holdOptions('options')
  t.teardown(() => holder.close())
  const dir = join(scratch, 'recording')
  const result = await recordTables(dir)
  t.same(result.files, ['tcpstat', 'tcp6stat', 'udpstat', 'udp6stat'].map((f) => join(dir, f)))
  t.ok(result.sockets > 0)

  const live = await listSockets()
  const replayed = await listSockets({ procNet: dir })
  const key = (e: SocketEntry): string => `${e.proto}${e.family} ${e.local.address}:${e.local.port} ${e.remote.address}:${e.remote.port} ${e.state}`
  const recorded = new Map(replayed.map((e) => [key(e), e]))
  let compared = 0
  for (const socket of holder.info.sockets) {
    const e = live.find((x) => x.inode === socket.inode)
    if (e === undefined) {
      t.fail(`${socket.label} is listed live`)
      continue
    }
    const r = recorded.get(key(e))
    if (r === undefined) {
      t.fail(`${socket.label} is in the recording`)
      continue
    }
    compared++
    t.equal(r.recvQ, e.recvQ, `${socket.label} Recv-Q`)
    t.equal(r.sendQ, e.sendQ, `${socket.label} Send-Q`)
    t.same(r.options, e.options, `${socket.label} options`)
    t.same(r.diag, e.diag, `${socket.label} diag`)
  }
  t.ok(compared >= 5, `compared ${compared} sockets`)
})

t.test('options a newer module recorded and this version does not know are replayed in otherOptions', async (t) => {
  const tcpstat = `${TCP_HEADER}\n     0      0 127.0.0.1:7001          0.0.0.0:*               LSTN      SO_REUSEADDR=1,TCP_NODELAY=1,SO_FUTURE=abc\n`
  const [entry] = await listSockets({ procNet: { tcpstat } })
  t.same(entry?.options, { SO_REUSEADDR: true, TCP_NODELAY: true })
  t.same(entry?.otherOptions, { SO_FUTURE: 'abc' })
  const [without] = await listSockets({ procNet: { tcpstat }, options: false })
  t.equal(without?.options, null)
  t.notOk('otherOptions' in (without as SocketEntry), 'options: false drops them too')
})

t.test('a recorded line without options says why, as a live listing would', async (t) => {
  const header = `${TCP_HEADER}\n`
  const tcpstat =
    header +
    '     0      0 127.0.0.1:7001          0.0.0.0:*               LSTN\n' +
    '     0      0 127.0.0.1:7001          127.0.0.1:40000         TIMW\n'
  const udpstat = `${UDP_HEADER}\n` + '     0      0 127.0.0.1:7002          0.0.0.0:*\n'
  const entries = await listSockets({ procNet: { tcpstat, udpstat } })
  const byState = (state: string, proto = 'tcp') => entries.find((e) => e.state === state && e.proto === proto)
  t.equal(byState('LISTEN')?.options, null)
  t.equal(byState('LISTEN')?.optionsError?.code, 'EPERM', 'a listener has options: the module withheld them from the recorder')
  t.match(byState('LISTEN')?.optionsError?.message, /whoever recorded it could not read them.*without the module.*Record as root/)
  t.equal(byState('CLOSE', 'udp')?.optionsError?.code, 'EPERM', 'so has every UDP socket')
  t.equal(byState('TIME_WAIT')?.optionsError?.code, 'ENOENT', 'a TIME_WAIT minisocket has none')
  const without = await listSockets({ procNet: { tcpstat }, options: false })
  t.equal(without[0]?.optionsError, undefined, 'options: false asks for no reason')
})

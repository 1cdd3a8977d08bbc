// Lines the kernel module withholds: the module prints a socket's options only to a
// reader running as the socket's owner or with CAP_SYS_PTRACE; for anyone else the
// line ends after the state and diag columns (TCP) or the foreign address (UDP).
// Such an entry must not look option-less: with options 'auto' the pidfd source
// tries it, and what neither source can read is EPERM with what to do. Minisockets
// (TIME_WAIT, request sockets), whose lines never have options, stay ENOENT.
import * as dgram from 'node:dgram'
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { formatKnetstat, listSockets, parseKnetstat, type SocketEntry } from '../../src/index.js'
import { listSocketsWith } from '../../src/list.js'
import { joinModule, withheldByModule } from '../../src/sources/module/index.js'
import { optionsErrorFor } from '../../src/sources/why-no-options.js'
import { holdOptions } from '../helpers/sockopt-holder.js'
import { moduleTable, netlinkLike, TCP_HEADER, UDP_HEADER, writeTables } from '../helpers/knetstat-text.js'
import { listAsNobody, NOBODY } from '../helpers/nobody.js'

const scratch = mkdtempSync(join(tmpdir(), 'knetstat-withheld-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

/** Netlink-like entries for the lines of `text`: the given inodes (null: no file) and uids. */
function fromNetlink(text: string, family: 4 | 6, inodes: (number | null)[], uid: number): SocketEntry[] {
  return netlinkLike(text, family, (_, i) => {
    const inode = inodes[i] ?? null
    return { inode, uid: inode === null ? null : uid }
  })
}

// As an unprivileged reader would see root's sockets with the module loaded: one
// line of its own (options), root's lines withheld, minisockets as ever.
const TCP4 = `${TCP_HEADER}
     0      0 127.0.0.1:6010          0.0.0.0:*               LSTN      SO_REUSEADDR=1,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0
     0      0 0.0.0.0:22              0.0.0.0:*               LSTN
     0     36 10.0.0.5:22             10.0.0.9:51000          ESTB >#
  4096      0 10.0.0.5:22             10.0.0.9:51001          ESTB |<
     0      0 10.0.0.5:22             10.0.0.9:51002          ESTB
     0      0 127.0.0.1:6012          127.0.0.1:40001         SYNR
     0      0 127.0.0.1:40002         127.0.0.1:6013          TIMW
     0      0 127.0.0.1:40003         127.0.0.1:6013          FNW2
     0      0 127.0.0.1:40004         127.0.0.1:6014          FNW2
     1      1 127.0.0.1:40005         127.0.0.1:6014          LACK
`
// inode null: no file (minisockets, and the orphaned LAST_ACK socket); 40004 is a
// full FIN_WAIT2 socket its process still holds (after shutdown(SHUT_WR)).
const TCP4_INODES = [100, 101, 102, 103, 104, null, null, null, 108, null]
const UDP4 = `${UDP_HEADER}
     0      0 0.0.0.0:68              0.0.0.0:*
   768      0 127.0.0.1:7000          127.0.0.1:7001
     0      0 0.0.0.0:5353            0.0.0.0:*               SO_REUSEADDR=1,SO_REUSEPORT=0,SO_BROADCAST=0
`
const UDP6 = `${UDP_HEADER}
     0      0 ::1:7002                ::1:7003
`

t.test('the text parser takes the withheld forms, and formatting gives them back', async (t) => {
  for (const [text, proto, family] of [[TCP4, 'tcp', 4], [UDP4, 'udp', 4], [UDP6, 'udp', 6]] as const) {
    const parsed = parseKnetstat(text, { proto, family })
    t.equal(formatKnetstat(parsed, { proto }), text, `${proto}${family}`)
  }
  const [udp] = parseKnetstat(UDP6)
  t.match(udp, { proto: 'udp', family: 6, state: 'ESTABLISHED', remote: { address: '::1', port: 7003 }, options: null, optionsSource: null })
  // Older module builds padded the remote address before nothing: the parser takes it too.
  t.equal(parseKnetstat(`${UDP_HEADER}\n     0      0 0.0.0.0:68              0.0.0.0:*               \n`)[0]?.options, null)
})

t.test('which option-less lines are withheld: every full socket, not the minisockets', async (t) => {
  const at = (proto: 'tcp' | 'udp', state: SocketEntry['state'], inode: number | null): boolean => withheldByModule({ proto, state, inode })
  t.ok(at('udp', 'CLOSE', 1) && at('udp', 'ESTABLISHED', 1), 'every UDP socket has options')
  for (const state of ['LISTEN', 'ESTABLISHED', 'SYN_SENT', 'FIN_WAIT1', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING', 'CLOSE'] as const) {
    t.ok(at('tcp', state, 1), `${state} with a file`)
    t.ok(at('tcp', state, null), `${state} without a file (an orphan, or not yet accept()ed)`)
  }
  for (const state of ['TIME_WAIT', 'SYN_RECV', 'NEW_SYN_RECV'] as const) t.notOk(at('tcp', state, null), `${state}: a minisocket`)
  t.notOk(at('tcp', 'FIN_WAIT2', null), 'FIN_WAIT2 without a file: a timewait socket in its FIN_WAIT2 substate')
  t.ok(at('tcp', 'FIN_WAIT2', 5), 'FIN_WAIT2 with a file: a full socket')
})

t.test('the join: withheld entries get EPERM and the module\'s diag; minisockets ENOENT', async (t) => {
  const tcp = fromNetlink(TCP4, 4, TCP4_INODES, 0)
  ;(tcp[0] as SocketEntry).uid = 1000
  const udp = [...fromNetlink(UDP4, 4, [200, 201, 202], 0), ...fromNetlink(UDP6, 6, [300], 0)]
  const withheld: SocketEntry[] = []
  const stats = await joinModule([...tcp, ...udp], [moduleTable(TCP4, 4), moduleTable(UDP4, 4), moduleTable(UDP6, 6)], withheld)
  t.same(stats, { matched: 14, agreed: 0, ambiguous: 0, unmatched: 0, unusedLines: 0, withheld: 9 })
  const port = (entries: SocketEntry[], local: number): SocketEntry => entries.find((e) => e.local.port === local || e.remote.port === local) as SocketEntry
  t.same(
    withheld.map((e) => `${e.proto}${e.family} ${e.state} ${e.inode}`),
    ['tcp4 LISTEN 101', 'tcp4 ESTABLISHED 102', 'tcp4 ESTABLISHED 103', 'tcp4 ESTABLISHED 104', 'tcp4 FIN_WAIT2 108', 'tcp4 LAST_ACK null', 'udp4 CLOSE 200', 'udp4 ESTABLISHED 201', 'udp6 ESTABLISHED 300'],
    'the withheld entries, handed to the caller for another source',
  )
  for (const e of withheld) {
    t.equal(e.options, null)
    t.equal(e.optionsSource, null)
    t.equal(e.optionsError?.code, 'EPERM', `${e.state} ${e.local.port}: EPERM, not "no options"`)
    t.match(e.optionsError?.message, /kernel module shows a socket's options only to readers running as the socket's owner/)
    t.match(e.optionsError?.message, e.uid === null ? /run knetstat as the socket's owner, or with CAP_SYS_PTRACE/ : /run knetstat as uid 0, or with CAP_SYS_PTRACE/)
  }
  t.same(port(tcp, 51000).diag, { sendWindowZero: false, receiveWindowZero: false, ackStalled: true }, 'a withheld line keeps its diag flags')
  t.same(port(tcp, 51001).diag, { sendWindowZero: false, receiveWindowZero: true, ackStalled: null })
  t.same(port(tcp, 51002).diag, { sendWindowZero: false, receiveWindowZero: false, ackStalled: false })
  const own = tcp[0] as SocketEntry
  t.match(own, { optionsSource: 'module', options: { SO_REUSEADDR: true } }, "the reader's own socket has its options")
  t.equal(own.optionsError, undefined)
  for (const p of [40001, 40002, 40003]) {
    const e = port(tcp, p)
    t.equal(e.optionsError?.code, 'ENOENT', `${e.state} ${p}: a minisocket has no options to read`)
    t.notOk(withheld.includes(e))
  }
  t.match(port(udp, 5353), { optionsSource: 'module', options: { SO_REUSEADDR: true } })
  // Formatting the joined entries gives the module's text back.
  t.equal(formatKnetstat(tcp, { proto: 'tcp' }), TCP4)
  t.equal(formatKnetstat(udp.slice(0, 3), { proto: 'udp' }), UDP4)
})

t.test('withheld, then refused by pidfd: the message quotes pidfd\'s reason, never its advice, whatever the command', async (t) => {
  // A process may name itself anything: its name must not cut or extend the reason.
  const holder = { pid: 42, fd: 3, command: 'x. To see y' }
  const why = { code: 'EPERM', source: 'module', cause: 'withheld', fallback: { code: 'EPERM', source: 'pidfd', cause: 'not-ptraceable', holder, syscall: 'pidfd_getfd', yamaScope: 1 } } as const
  const error = optionsErrorFor(why, { state: 'ESTABLISHED', uid: 0 })
  t.equal(error.code, 'EPERM')
  t.equal(
    error.message,
    "not permitted to read the options of this socket of uid 0: the knetstat kernel module shows a socket's options only to readers running as the socket's owner (fsuid) or with " +
      "CAP_SYS_PTRACE (in the user namespace owning the socket's network namespace), as pidfd_getfd would; the pidfd source could not read them either " +
      '(EPERM: not permitted to read the options of process 42 (x. To see y) of uid 0: pidfd_getfd needs ptrace access to the process ' +
      '(kernel.yama.ptrace_scope is 1: even your own processes need CAP_SYS_PTRACE unless they are your descendants)). ' +
      'To see them, run knetstat as uid 0, or with CAP_SYS_PTRACE (for example with sudo)',
  )
  t.notMatch(error.message, /load the knetstat kernel module/, 'no advice to load a module that is loaded')
})

t.test('withheld siblings whose count changed: all lines agree, all withheld', async (t) => {
  const two = `${TCP_HEADER}
     0      0 0.0.0.0:80              0.0.0.0:*               LSTN
     0      0 0.0.0.0:80              0.0.0.0:*               LSTN
`
  const entries = fromNetlink(two + '     0      0 0.0.0.0:80              0.0.0.0:*               LSTN\n', 4, [1, 2, 3], 33)
  const withheld: SocketEntry[] = []
  t.same(await joinModule(entries, [moduleTable(two, 4)], withheld), { matched: 0, agreed: 3, ambiguous: 0, unmatched: 0, unusedLines: 0, withheld: 3 })
  t.equal(withheld.length, 3)
  t.ok(entries.every((e) => e.optionsError?.code === 'EPERM' && /uid 33/.test(e.optionsError.message)))
})

t.test('a recording with withheld lines replays (procNet): the lines are there, without options', async (t) => {
  const entries = await listSockets({ procNet: { tcpstat: TCP4, udpstat: UDP4, udp6stat: UDP6 } })
  t.equal(entries.length, 14)
  t.same(entries.filter((e) => e.options !== null).map((e) => e.local.port), [6010, 5353])
  t.equal(entries.find((e) => e.remote.port === 51000)?.diag.ackStalled, true)
  t.equal(formatKnetstat(entries.filter((e) => e.proto === 'tcp'), { proto: 'tcp' }), TCP4)
})

/** Writes a stand-in for /proc/net's module files: `lines` per table, readable by anyone. */
function standIn(name: string, lines: SocketEntry[]): string {
  const dir = join(scratch, name)
  mkdirSync(dir)
  chmodSync(scratch, 0o755)
  chmodSync(dir, 0o755)
  writeTables(dir, lines)
  return dir
}

/** The module's own options of an entry (its set, not pidfd's extras), as the module would print them. */
function moduleView(e: SocketEntry): SocketEntry {
  const keep = ['SO_REUSEADDR', 'SO_REUSEPORT', 'SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_KEEPCNT', 'TCP_KEEPINTVL', 'TCP_USER_TIMEOUT', 'SO_RCVBUF', 'SO_SNDBUF', 'SO_RCVTIMEO', 'SO_SNDTIMEO', 'SO_LINGER', 'TCP_NODELAY', 'TCP_FASTOPEN', 'TCP_DEFER_ACCEPT', 'SO_BROADCAST']
  const options = e.options === null ? null : Object.fromEntries(Object.entries(e.options).filter(([k]) => keep.includes(k)))
  return { ...e, options }
}

const PICK = ['SO_REUSEADDR', 'SO_REUSEPORT', 'SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_NODELAY', 'SO_BROADCAST'] as const
const pick = (o: SocketEntry['options']): Record<string, unknown> | null =>
  o === null ? null : Object.fromEntries(PICK.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]))

t.test("live, as root: withheld lines of this process's sockets are read through bpf, the next source of 'auto'", async (t) => {
  const server = createServer((s) => accepted.push(s))
  const accepted: Socket[] = []
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const client = createConnection(port, '127.0.0.1')
  await new Promise<void>((resolve) => client.once('connect', resolve))
  client.setNoDelay(true)
  client.setKeepAlive(true, 5000)
  const udp = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve))
  udp.setBroadcast(true)
  const udpPort = udp.address().port
  t.teardown(() => {
    client.destroy()
    accepted.forEach((s) => s.destroy())
    server.close()
    udp.close()
  })
  while (accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  const query = { port: [port, udpPort] }
  // Only this process's sockets (another socket may share a port number, in the other protocol).
  const mine = (e: SocketEntry): boolean => e.inode !== null && inodes.has(e.inode)
  const own = (await listSockets({ ...query, options: false, processes: true })).filter((e) => e.processes?.some((p) => p.pid === process.pid))
  const inodes = new Set(own.map((e) => e.inode))
  const reference = (await listSockets({ ...query, options: 'pidfd' })).filter(mine)
  t.equal(reference.length, 4, 'listener, both ends, the UDP socket')
  t.ok(reference.every((e) => e.optionsSource === 'pidfd'))
  // The module's files as another reader would get them: the listener visible, the rest withheld.
  const isListener = (e: SocketEntry): boolean => e.state === 'LISTEN'
  const dir = standIn('root', reference.map((e) => (isListener(e) ? moduleView(e) : { ...e, options: null })))

  const auto = (await listSocketsWith({ ...query, options: 'auto', processes: true }, { moduleDir: dir })).filter(mine)
  t.equal(auto.length, 4)
  for (const e of auto) {
    const ref = reference.find((r) => r.inode === e.inode) as SocketEntry
    t.equal(e.optionsError, undefined, `${e.proto} ${e.state} ${e.local.port}: read`)
    t.equal(e.optionsSource, isListener(e) ? 'module' : 'bpf', isListener(e) ? 'the visible line: the module' : 'withheld: bpf')
    t.same(pick(e.options), pick(ref.options), 'the values pidfd reads')
    t.match(e.processes, [{ pid: process.pid }], "the listing's own /proc scan is used")
  }
  const clientEntry = auto.find((e) => e.remote.port === port) as SocketEntry
  t.match(clientEntry.options, { TCP_NODELAY: true, SO_KEEPALIVE: true, TCP_KEEPIDLE: 5 })
  t.match(auto.find((e) => e.proto === 'udp')?.options, { SO_BROADCAST: true })
  // Without processes: bpf needs no /proc scan.
  const noScan = (await listSocketsWith({ ...query, options: 'auto' }, { moduleDir: dir })).filter(mine)
  t.same(noScan.map((e) => e.optionsSource).sort(), ['bpf', 'bpf', 'bpf', 'module'])

  // 'module' is the module only: withheld stays EPERM, with what to do.
  const only = (await listSocketsWith({ ...query, options: 'module' }, { moduleDir: dir })).filter(mine)
  for (const e of only.filter((x) => !isListener(x))) {
    t.equal(e.options, null)
    t.equal(e.optionsError?.code, 'EPERM')
    t.match(e.optionsError?.message, /run knetstat as uid 0, or with CAP_SYS_PTRACE/)
  }
  t.equal(only.find(isListener)?.optionsSource, 'module')
})

t.test('live, as uid 65534: root\'s withheld sockets are EPERM (pidfd refused too); its own come from the module', async (t) => {
  const rootHolder = await holdOptions('options')
  const nobodyHolder = await holdOptions('plain', { uid: NOBODY, gid: NOBODY })
  t.teardown(async () => {
    await rootHolder.close()
    await nobodyHolder.close()
  })
  const rootInodes = rootHolder.info.sockets.map((s) => s.inode)
  const nobodyInodes = nobodyHolder.info.sockets.map((s) => s.inode)
  const reference = (await listSockets({ options: 'pidfd' })).filter((e) => e.inode !== null && [...rootInodes, ...nobodyInodes].includes(e.inode))
  t.equal(reference.length, rootInodes.length + nobodyInodes.length)
  // What the module prints to uid 65534: its own sockets' options, root's withheld.
  const dir = standIn('nobody', reference.map((e) => (e.uid === NOBODY ? moduleView(e) : { ...e, options: null })))
  const env = { KNETSTAT_MODULE_DIR: dir, KNETSTAT_QUERY: JSON.stringify({ options: 'auto', processes: true }) }

  const plain = await listAsNobody([...rootInodes, ...nobodyInodes], [], { env })
  t.equal(plain.uid, NOBODY)
  t.equal(plain.listed.length, reference.length, 'every socket listed')
  for (const e of plain.listed) {
    if (e.uid === NOBODY) {
      t.equal(e.optionsSource, 'module', `own socket ${e.inode}: from the module`)
      t.match(e.processes, [{ pid: nobodyHolder.info.pid }])
      continue
    }
    t.equal(e.options, null, `root's socket ${e.inode}: no options`)
    t.equal(e.optionsSource, null)
    t.equal(e.optionsError?.code, 'EPERM')
    t.match(e.optionsError?.message, /kernel module shows a socket's options only to readers running as the socket's owner/)
    t.match(e.optionsError?.message, /the pidfd source could not read them either \(EPERM: /)
    t.match(e.optionsError?.message, /run knetstat as uid 0, or with CAP_SYS_PTRACE/)
    t.notMatch(e.optionsError?.message, /load the knetstat kernel module/, 'no advice to load a module that is loaded')
    t.strictSame(e.processes, [])
  }

  // With CAP_SYS_PTRACE (and read access to /proc/<pid>/fd, see test/pidfd/permissions.test.ts),
  // pidfd reads what the stand-in withholds. (The real module would print them itself.)
  const privileged = await listAsNobody(rootInodes, [], { env, caps: ['sys_ptrace', 'dac_read_search'] })
  t.equal(privileged.listed.length, rootInodes.length)
  for (const e of privileged.listed) {
    const ref = reference.find((r) => r.inode === e.inode) as SocketEntry
    t.equal(e.optionsSource, 'pidfd', `root's socket ${e.inode}: through pidfd`)
    t.same(e.options, ref.options, 'the values root reads')
  }
})

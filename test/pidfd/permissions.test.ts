// Permissions: an unprivileged user (uid 65534, in a child process) listing sockets of
// another user's process gets options: null with optionsError EPERM and a message that
// says how to get them, never the options; its own process's options it does read.
// It still lists every socket (netlink sock_diag needs no privilege) and sees no other
// user's process. CAP_SYS_PTRACE grants pidfd_getfd over root's processes; finding
// which process holds a socket reads /proc/<pid>/fd, which is DAC (the directory is
// 0500, owned by the process's uid), or, when that is refused, /proc/<pid>/fdinfo,
// which needs ptrace read access (Linux 5.14+): CAP_SYS_PTRACE alone finds them.
// docs/security.md explains each of these.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { listSockets, type SocketEntry } from '../../src/index.js'
import { MAIN } from '../helpers/cli.js'
import { holdOptions } from '../helpers/sockopt-holder.js'
import { listAsNobody, NOBODY, runAsNobody } from '../helpers/nobody.js'

const rootHolder = await holdOptions('options')
const nobodyHolder = await holdOptions('plain', { uid: NOBODY, gid: NOBODY })
t.teardown(async () => {
  await rootHolder.close()
  await nobodyHolder.close()
})

/** The direct reader's targets for root's holder: (pid, fd, inode, no hints) per socket. */
const rootTargets = rootHolder.info.sockets.flatMap((s) => [rootHolder.info.pid, s.fd, s.inode, 0])

/** The uid owning a process, from root's side; null when it has exited. */
function uidOf(pid: number): number | null {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? null : Number(m[1])
  } catch {
    return null
  }
}

t.test("another user's sockets: EPERM, a message that says what to do, no options", async (t) => {
  const sockets = rootHolder.info.sockets
  const first = sockets[0]!
  const out = await listAsNobody(
    sockets.map((s) => s.inode),
    [rootHolder.info.pid, first.fd, first.inode, 0],
  )
  t.equal(out.uid, NOBODY, 'the lister ran unprivileged')
  t.equal(out.listed.length, sockets.length, 'every socket is still listed')
  for (const e of out.listed) {
    t.equal(e.uid, 0, 'owned by root')
    t.equal(e.options, null, 'no options')
    t.equal(e.optionsSource, null)
    t.equal(e.optionsError?.code, 'EPERM')
    t.match(e.optionsError?.message, /CAP_SYS_PTRACE/)
    t.match(e.optionsError?.message, /run knetstat as the user/)
    t.match(e.optionsError?.message, /kernel module/)
    t.strictSame(e.processes, [], "root's process is not visible to uid 65534")
  }
  // Straight at the native reader: pidfd_getfd itself refuses.
  t.strictSame(out.direct, [{ errno: 1, syscall: 2, reuseAddr: null, options: null }], 'pidfd_getfd fails with EPERM and reads nothing')
})

t.test('unprivileged: every socket is listed, and no other user\'s process is shown', async (t) => {
  // Sockets that live through the lister's run (the host and other tests open and
  // close sockets meanwhile): those root lists both before and after it.
  const before = new Set((await listSockets({ options: false })).map((e) => e.inode).filter((i) => i !== null))
  const out = await listAsNobody([])
  const after = (await listSockets({ options: false })).map((e) => e.inode).filter((i) => i !== null)
  const stable = after.filter((i) => before.has(i))
  const seen = new Set(out.all)
  t.ok(stable.length > 0)
  t.same(stable.filter((i) => !seen.has(i)), [], `all ${stable.length} sockets root lists are listed to uid 65534`)
  t.notOk(out.pids.includes(rootHolder.info.pid), "root's holder is never named")
  t.ok(out.pids.includes(nobodyHolder.info.pid), "uid 65534's own holder is named")
  const others = out.pids.filter((pid) => {
    const uid = uidOf(pid)
    return uid !== null && uid !== NOBODY
  })
  t.same(others, [], 'every process shown runs as uid 65534')
})

t.test("an unprivileged user reads its own processes' sockets", async (t) => {
  const sockets = nobodyHolder.info.sockets
  const out = await listAsNobody(sockets.map((s) => s.inode))
  t.equal(out.listed.length, sockets.length)
  for (const e of out.listed) {
    t.equal(e.optionsSource, 'pidfd', `inode ${e.inode}`)
    t.equal(e.optionsError, undefined)
    t.match(e.options, { SO_REUSEADDR: false })
    t.match(e.processes, [{ pid: nobodyHolder.info.pid, command: 'python3' }])
  }
})

t.test("root (CAP_SYS_PTRACE) reads every user's sockets", async (t) => {
  const entries = await listSockets({ options: 'pidfd' })
  for (const s of nobodyHolder.info.sockets) {
    const e = entries.find((x) => x.inode === s.inode)
    t.equal(e?.uid, NOBODY)
    t.equal(e?.optionsSource, 'pidfd', `${s.label} of uid 65534`)
  }
})

/** Root's own reading of its holder's sockets, by inode. */
async function rootReading(): Promise<Map<number, SocketEntry>> {
  const entries = await listSockets({ options: 'pidfd' })
  const byInode = new Map<number, SocketEntry>()
  for (const s of rootHolder.info.sockets) {
    const e = entries.find((x) => x.inode === s.inode)
    if (e !== undefined) byInode.set(s.inode, e)
  }
  return byInode
}

t.test('uid 65534 with CAP_SYS_PTRACE: pidfd_getfd reads root\'s sockets, the same values as root', async (t) => {
  const root = await rootReading()
  const sockets = rootHolder.info.sockets
  const out = await listAsNobody(sockets.map((s) => s.inode), rootTargets, { caps: ['sys_ptrace'] })
  t.equal(out.uid, NOBODY, 'the lister ran as uid 65534')
  t.equal(out.direct.length, sockets.length)
  out.direct.forEach((d, i) => {
    const s = sockets[i]!
    t.equal(d.errno, 0, `${s.label}: pidfd_getfd permitted`)
    t.ok(root.get(s.inode)?.options, `${s.label}: root read it`)
    t.same(d.options, root.get(s.inode)?.options, `${s.label}: the same options as root reads`)
  })
})

t.test("uid 65534 with CAP_SYS_PTRACE alone: listSockets finds root's holders and reads their options as root does", async (t) => {
  // /proc/<root's pid>/fd is mode 0500 owned by root, and CAP_SYS_PTRACE does not
  // override file permissions; the scan falls back to /proc/<pid>/fdinfo (ptrace read
  // access, Linux 5.14+). test/pidfd/ptrace-cap.test.ts covers the fallback in detail.
  const root = await rootReading()
  const sockets = rootHolder.info.sockets
  const out = await listAsNobody(sockets.map((s) => s.inode), [], { caps: ['sys_ptrace'] })
  t.equal(out.uid, NOBODY)
  t.equal(out.listed.length, sockets.length)
  for (const e of out.listed) {
    const s = sockets.find((x) => x.inode === e.inode)
    t.equal(e.optionsSource, 'pidfd', `${s?.label}`)
    t.equal(e.optionsError, undefined)
    t.same(e.options, root.get(e.inode)?.options, `${s?.label}: the same options as root reads`)
    t.match(e.processes, [{ pid: rootHolder.info.pid, fd: s?.fd, command: 'python3' }], "root's holder is visible")
  }
})

t.test("uid 65534 with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: listSockets reads root's sockets as root does", async (t) => {
  const root = await rootReading()
  const sockets = rootHolder.info.sockets
  const out = await listAsNobody(sockets.map((s) => s.inode), [], { caps: ['sys_ptrace', 'dac_read_search'] })
  t.equal(out.uid, NOBODY)
  t.equal(out.listed.length, sockets.length)
  for (const e of out.listed) {
    const label = sockets.find((s) => s.inode === e.inode)?.label
    t.equal(e.optionsSource, 'pidfd', `${label}`)
    t.equal(e.optionsError, undefined)
    t.same(e.options, root.get(e.inode)?.options, `${label}: the same options as root reads`)
    t.match(e.processes, [{ pid: rootHolder.info.pid }], "root's holder is visible with the capabilities")
  }
})

t.test('the command as uid 65534 with no capabilities: the listing, EPERM on stderr, exit 0', async (t) => {
  const listener = rootHolder.info.sockets.find((s) => s.label.endsWith('.listen') && s.family === 4)!
  // As a user would run it: without tap's coverage hook (tap injects it into node
  // children through NODE_OPTIONS; it writes under the repository).
  const env = { NO_COLOR: '1' }
  const node = ['/usr/bin/env', '-u', 'NODE_OPTIONS', process.execPath, MAIN]
  const r = await runAsNobody([...node, '-tp', '--port', String(listener.port)], { env })
  t.equal(r.code, 0, 'a listing with some options unreadable still succeeds')
  const line = r.stdout.split('\n').find((l) => l.includes(`:${listener.port} `) && l.includes('LSTN'))
  t.ok(line, 'the root-owned listener is listed')
  t.notMatch(line, /SO_REUSEADDR=/, 'without options')
  t.notMatch(line, /users:|python3/, 'and without its process')
  t.match(r.stderr, /^knetstat: no options for \d+ sockets? \(EPERM\), e\.g\.: .*CAP_SYS_PTRACE/m)
  t.notMatch(r.stderr, /Error|at .*\.js:\d+/, 'a message, not a stack trace')
  const json = await runAsNobody([...node, '-t', '--json', '--port', String(listener.port)], { env })
  t.equal(json.code, 0)
  const entries = JSON.parse(json.stdout) as SocketEntry[]
  const e = entries.find((x) => x.inode === listener.inode)
  t.match(e, { options: null, optionsSource: null, optionsError: { code: 'EPERM' } }, '--json carries the optionsError')
})

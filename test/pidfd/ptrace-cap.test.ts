// CAP_SYS_PTRACE alone (issue 9: "CAP_SYS_PTRACE grants them"): a uid-65534 lister
// with only that capability cannot list root's /proc/<pid>/fd (mode 0500, a DAC check
// the capability does not override), so the /proc scan falls back to
// /proc/<pid>/fdinfo, which since Linux 5.14 needs ptrace read access instead. It
// finds root's holder, and pidfd_getfd (ptrace attach, granted by the capability)
// reads the options: the same options and processes as root reads. Without the
// capability nothing changes: EPERM, no process. A crafted proc root checks the
// fallback takes only descriptors on the sockfs mount: a file of another filesystem
// with a socket's inode number is not a holder.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { listSockets, type SocketEntry } from '../../src/index.js'
import { TS_LOADER } from '../helpers/child.js'
import { holdOptions } from '../helpers/sockopt-holder.js'
import { listAsNobody, NOBODY } from '../helpers/nobody.js'

const holder = await holdOptions('options')
t.teardown(() => holder.close())
const sockets = holder.info.sockets
const inodes = sockets.map((s) => s.inode)
const PIDFD_WITH_PROCESSES = { env: { KNETSTAT_QUERY: JSON.stringify({ options: 'pidfd', processes: true }) } }

/** What root reads of the holder's sockets, by inode. */
async function rootReading(): Promise<Map<number, SocketEntry>> {
  const entries = await listSockets({ options: 'pidfd', processes: true })
  return new Map(entries.filter((e) => e.inode !== null && inodes.includes(e.inode)).map((e) => [e.inode as number, e]))
}

t.test("uid 65534 with CAP_SYS_PTRACE alone: root's sockets' options and holder, as root reads them", async (t) => {
  const root = await rootReading()
  t.equal(root.size, sockets.length, 'root lists every held socket')
  const out = await listAsNobody(inodes, [], { caps: ['sys_ptrace'], ...PIDFD_WITH_PROCESSES })
  t.equal(out.uid, NOBODY, 'the lister ran as uid 65534')
  t.equal(out.listed.length, sockets.length, 'every held socket is listed')
  for (const e of out.listed) {
    const label = sockets.find((s) => s.inode === e.inode)?.label
    const r = root.get(e.inode)
    t.equal(e.uid, 0, `${label}: root's socket`)
    t.equal(e.optionsSource, 'pidfd', `${label}: read through pidfd`)
    t.equal(e.optionsError, undefined, `${label}: no error`)
    t.ok(r?.options, `${label}: root read options`)
    t.same(e.options, r?.options, `${label}: the same options as root reads`)
    t.strictSame(e.processes, r?.processes, `${label}: the same holders as root sees`)
    t.match(e.processes, [{ pid: holder.info.pid, fd: sockets.find((s) => s.inode === e.inode)?.fd, command: 'python3' }])
  }
  t.ok(out.pids.includes(holder.info.pid), "root's holder is named")
})

t.test('uid 65534 with CAP_SYS_PTRACE, processes only: the holders without options', async (t) => {
  const out = await listAsNobody(inodes, [], { caps: ['sys_ptrace'], env: { KNETSTAT_QUERY: JSON.stringify({ options: false, processes: true }) } })
  t.equal(out.listed.length, sockets.length)
  for (const e of out.listed) {
    t.equal(e.options, null)
    t.match(e.processes, [{ pid: holder.info.pid, command: 'python3' }], `inode ${e.inode}: its holder`)
  }
})

t.test('uid 65534 without capabilities: EPERM and no process, as before', async (t) => {
  const out = await listAsNobody(inodes, [], PIDFD_WITH_PROCESSES)
  t.equal(out.uid, NOBODY)
  t.equal(out.listed.length, sockets.length, 'every socket is still listed')
  for (const e of out.listed) {
    t.equal(e.options, null, `inode ${e.inode}: no options`)
    t.equal(e.optionsError?.code, 'EPERM')
    t.match(e.optionsError?.message, /CAP_SYS_PTRACE/)
    t.strictSame(e.processes, [], "root's process is not visible")
  }
  t.notOk(out.pids.includes(holder.info.pid), "root's holder is never named")
})

t.test('the fdinfo fallback takes only descriptors on the sockfs mount', async (t) => {
  // The sockfs mount id, from root's reading of the holder's first socket.
  const first = sockets[0]!
  const fdinfo = readFileSync(`/proc/${holder.info.pid}/fdinfo/${first.fd}`, 'utf8')
  const sockfs = Number(/^mnt_id:\s+(\d+)$/m.exec(fdinfo)?.[1])
  t.ok(Number.isInteger(sockfs), `sockfs is mount ${sockfs}`)
  t.match(fdinfo, new RegExp(`^ino:\\s+${first.inode}$`, 'm'), 'a socket\'s fdinfo names its inode')

  const root = mkdtempSync(join(tmpdir(), 'knetstat-fdinfo-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  chmodSync(root, 0o755)
  // The scan learns the sockfs mount from <root>/self/fdinfo of a socket of its own.
  symlinkSync('/proc/self', join(root, 'self'))
  const info = (mnt: number | null, ino: string | null, extra = ''): string =>
    `pos:\t0\nflags:\t02000002\n${mnt === null ? '' : `mnt_id:\t${mnt}\n`}${ino === null ? '' : `ino:\t${ino}\n`}${extra}`
  /** A process whose fd directory is root's (refused to uid 65534) and whose fdinfo is readable. */
  function proc(pid: string, command: string, files: Record<string, string>, unreadable: string[] = []): void {
    mkdirSync(join(root, pid, 'fd'), { recursive: true })
    chmodSync(join(root, pid, 'fd'), 0o700)
    writeFileSync(join(root, pid, 'comm'), `${command}\n`)
    mkdirSync(join(root, pid, 'fdinfo'))
    for (const [fd, text] of Object.entries(files)) writeFileSync(join(root, pid, 'fdinfo', fd), text, { mode: unreadable.includes(fd) ? 0o000 : 0o444 })
  }
  proc('600', 'server', {
    '3': info(sockfs, '8000'),
    '4': info(sockfs + 1, '8001'), // the same kind of inode number, another filesystem
    '5': info(sockfs, null), // no "ino:" (a kernel before 5.14)
    '6': info(null, '8002'),
    '7': info(sockfs, '4294967296'), // not a 32-bit socket inode
    '8': info(sockfs, '80x3'),
    '9': `pos:\t0\nflags:\t02\nmnt_id:\t${sockfs}\nino:\t80`, // cut off: not trusted
    '10': info(sockfs, '8004', 'scm_fds: 0\n'),
    self: info(sockfs, '9999'),
  })
  proc('700', 'refused', { '3': info(sockfs, '8005'), '4': info(sockfs, '8006') }, ['4'])
  mkdirSync(join(root, '800', 'fd'), { recursive: true }) // no fdinfo: hidden, as before
  chmodSync(join(root, '800', 'fd'), 0o700)
  writeFileSync(join(root, '800', 'comm'), 'old-kernel\n')

  const lister = `
    import { scanProcesses } from ${JSON.stringify(new URL('../../src/sources/processes/index.ts', import.meta.url).href)}
    const scan = await scanProcesses(${JSON.stringify(root)})
    console.log(JSON.stringify({ holders: [...scan.holders], hidden: scan.hidden, scanned: scan.scanned }))
  `
  const r = spawnSync(process.execPath, ['--import', TS_LOADER, '--input-type=module', '-e', lister], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
    encoding: 'utf8',
  })
  t.equal(r.status, 0, r.stderr)
  const scan = JSON.parse(r.stdout) as { holders: [number, unknown][]; hidden: { pid: number }[]; scanned: number }
  t.strictSame(
    new Map(scan.holders),
    new Map([
      [8000, [{ pid: 600, fd: 3, command: 'server' }]],
      [8004, [{ pid: 600, fd: 10, command: 'server' }]],
    ]),
    'sockfs descriptors only; other mounts, missing, malformed and cut-off lines skipped',
  )
  t.strictSame(
    scan.hidden.sort((a, b) => a.pid - b.pid),
    [
      { pid: 700, command: 'refused', code: 'EACCES' },
      { pid: 800, command: 'old-kernel', code: 'EACCES' },
    ],
    'a refused fdinfo file, or no fdinfo, leaves the process hidden with none of its sockets',
  )
  t.equal(scan.scanned, 1, 'the process read through fdinfo counts as scanned')
})

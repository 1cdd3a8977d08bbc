// `knetstat record DIR` run by root into a world-writable sticky directory where
// another user (uid 65534, through setpriv) planted symlinks, FIFOs and directories
// first: root never writes through a link, never into a place another user chose,
// leaves no temporary file behind, and says clearly what is wrong.
import { spawnSync } from 'node:child_process'
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { knetstat } from '../helpers/cli.js'
import { TCP_HEADER, UDP_HEADER } from '../helpers/knetstat-text.js'
import { AS_NOBODY, NOBODY } from '../helpers/nobody.js'

const HEADER = new RegExp(`^(${TCP_HEADER}|${UDP_HEADER})\n`)
const TABLES = ['tcp6stat', 'tcpstat', 'udp6stat', 'udpstat']

/** Runs a command as uid/gid 65534: the other local user. */
function asNobody(...argv: string[]): void {
  const r = spawnSync('setpriv', [...AS_NOBODY, '--', ...argv], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`as uid ${NOBODY}: ${argv.join(' ')} failed: ${r.stderr}`)
}

// /tmp-like: mode 1777. Beside it, root's private things another user would like overwritten.
const sticky = mkdtempSync(join(tmpdir(), 'knetstat-sticky-'))
chmodSync(sticky, 0o1777)
const privateDir = mkdtempSync(join(tmpdir(), 'knetstat-root-'))
const victim = join(privateDir, 'victim')
writeFileSync(victim, 'precious\n')
const victimDir = join(privateDir, 'dir')
mkdirSync(victimDir)
t.teardown(() => {
  rmSync(sticky, { recursive: true, force: true })
  rmSync(privateDir, { recursive: true, force: true })
})

t.test('links planted inside DIR are replaced, never written through', async (t) => {
  const dir = join(sticky, 'rec')
  asNobody('mkdir', dir)
  for (const name of [...TABLES, 'tcpstat.tmp', 'udpstat.tmp']) asNobody('ln', '-s', victim, join(dir, name))
  t.equal(lstatSync(join(dir, 'tcpstat')).uid, NOBODY, 'the link is the other user\'s')
  const r = knetstat(['record', dir])
  t.equal(r.status, 0, r.stderr)
  t.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the file the links pointed at is untouched')
  for (const name of TABLES) {
    const st = lstatSync(join(dir, name))
    t.ok(st.isFile(), `${name} is now a regular file, not the link`)
    t.equal(st.uid, 0, `${name} is root's`)
    t.equal(st.mode & 0o777, 0o600, `${name} is mode 0600: it holds other users' sockets`)
    t.match(readFileSync(join(dir, name), 'utf8'), HEADER, `${name} is knetstat text`)
  }
  t.same(readdirSync(dir).filter((n) => n.startsWith('.')), [], 'no temporary file is left')
})

t.test("DIR, or a directory on its path, is another user's symlink: refused", async (t) => {
  const link = join(sticky, 'rec-link')
  asNobody('ln', '-s', victimDir, link)
  const direct = knetstat(['record', link])
  t.equal(direct.status, 1)
  t.match(direct.stderr, new RegExp(`${link} is a symbolic link owned by uid ${NOBODY}, not by you or root`))
  t.match(direct.stderr, /Give the real directory path/, 'says what to do')
  const below = knetstat(['record', join(link, 'sub')])
  t.equal(below.status, 1)
  t.match(below.stderr, /is a symbolic link owned by uid 65534/, 'a link higher up the path is refused too')
  t.same(readdirSync(victimDir), [], 'nothing was written where the links point')
})

t.test("a symlink root made itself is followed: the user's own choice", async (t) => {
  const target = join(privateDir, 'mine')
  mkdirSync(target)
  const link = join(sticky, 'root-link')
  symlinkSync(target, link)
  const r = knetstat(['record', link])
  t.equal(r.status, 0, r.stderr)
  t.same(readdirSync(target).sort(), TABLES, 'the tables are in the directory it points at')
})

t.test('DIR is not a directory: a file, a FIFO another user planted', async (t) => {
  const file = knetstat(['record', victim])
  t.equal(file.status, 1)
  t.equal(file.stderr, `knetstat: recordTables: ${victim} is not a directory; give a directory (it is created if missing)\n`)
  t.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the file is untouched')
  const fifo = join(sticky, 'fifo')
  asNobody('mkfifo', fifo)
  const r = knetstat(['record', join(fifo, 'rec')])
  t.equal(r.status, 1, 'fails rather than blocking on the FIFO')
  t.match(r.stderr, /fifo is not a directory/)
})

t.test('a failure part way removes the temporary files and says where', async (t) => {
  const dir = join(sticky, 'half')
  mkdirSync(dir)
  // A non-empty directory where udpstat goes: its rename fails (EISDIR) after the files are written.
  mkdirSync(join(dir, 'udpstat', 'x'), { recursive: true })
  const r = knetstat(['record', dir])
  t.equal(r.status, 1)
  t.match(r.stderr, new RegExp(`^knetstat: recordTables: cannot write the recording in ${dir} \\((EISDIR|ENOTEMPTY|EEXIST)\\)\\n$`))
  t.same(readdirSync(dir).filter((n) => n.startsWith('.')), [], 'no temporary file is left')
})

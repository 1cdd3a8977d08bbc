// The /proc fd scan over a crafted proc root: socket links are kept, everything else
// is skipped (non-numeric entries, other links, processes without an fd directory,
// i.e. exited mid-scan), an unreadable fd directory is reported as hidden, and the
// inode -> holders map lists every holder by pid then fd.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { scanBinding, scanProcesses } from '../../src/sources/processes/index.js'
import { TS_LOADER } from '../helpers/child.js'
import { NOBODY } from '../helpers/nobody.js'

const root = mkdtempSync(join(tmpdir(), 'knetstat-proc-'))
t.teardown(() => rmSync(root, { recursive: true, force: true }))

function proc(pid: string, command: string | null, fds: Record<string, string> | null): void {
  mkdirSync(join(root, pid))
  if (command !== null) writeFileSync(join(root, pid, 'comm'), `${command}\n`)
  if (fds === null) return
  mkdirSync(join(root, pid, 'fd'))
  for (const [fd, target] of Object.entries(fds)) symlinkSync(target, join(root, pid, 'fd', fd))
}

proc('100', 'server', { '0': '/dev/null', '3': 'socket:[5000]', '4': 'socket:[5001]', '5': 'pipe:[77]', '6': 'anon_inode:[eventpoll]' })
proc('200', 'worker', { '3': 'socket:[5000]', '9': 'socket:[4294967295]', '10': 'socket:[4294967296]', '11': 'socket:[12x]', '12': 'socket:[]' })
proc('300', 'no-sockets', { '0': '/dev/null' })
proc('400', 'exited', null) // its fd directory is gone: the process exited mid-scan
proc('500', 'secret', { '3': 'socket:[6000]' })
proc('self', null, { '3': 'socket:[7000]' }) // not a pid
proc('12abc', null, { '3': 'socket:[7001]' })
writeFileSync(join(root, 'uptime'), '1 1\n')

t.test('holders by inode, by pid then fd; junk skipped', async (t) => {
  const scan = await scanProcesses(root)
  t.strictSame(scan.holders.get(5000), [
    { pid: 100, fd: 3, command: 'server' },
    { pid: 200, fd: 3, command: 'worker' },
  ])
  t.strictSame(scan.holders.get(5001), [{ pid: 100, fd: 4, command: 'server' }])
  t.strictSame(scan.holders.get(4294967295), [{ pid: 200, fd: 9, command: 'worker' }], 'the largest 32-bit inode')
  t.equal(scan.holders.size, 4, 'nothing else: no pipes, no out-of-range or malformed inodes, no non-pid directories')
  t.strictSame(scan.hidden, [])
  t.equal(scan.scanned, 4, 'processes whose fd directory was read (not 400, which has none)')
})

t.test('an unreadable fd directory is a hidden process, not an error', async (t) => {
  // As uid 65534 the directory's mode applies (root would bypass it).
  chmodSync(join(root, '500', 'fd'), 0o700)
  const lister = `
    import { scanProcesses } from ${JSON.stringify(new URL('../../src/sources/processes/index.ts', import.meta.url).href)}
    const scan = await scanProcesses(${JSON.stringify(root)})
    console.log(JSON.stringify({ hidden: scan.hidden, has6000: scan.holders.has(6000), has5000: scan.holders.has(5000) }))
  `
  const { spawnSync } = await import('node:child_process')
  chmodSync(root, 0o755)
  const r = spawnSync(process.execPath, ['--import', TS_LOADER, '--input-type=module', '-e', lister], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
    encoding: 'utf8',
  })
  t.equal(r.status, 0, r.stderr)
  t.strictSame(JSON.parse(r.stdout), { hidden: [{ pid: 500, command: 'secret', code: 'EACCES' }], has6000: false, has5000: true })
})

t.test('a missing root rejects with a system error', async (t) => {
  await t.rejects(scanProcesses(join(root, 'nope')), { code: 'ENOENT', syscall: 'open', message: /cannot open .*nope/ })
})

t.test('readSocketOptions validates its input', async (t) => {
  const binding = scanBinding()
  t.throws(() => binding.readSocketOptions([1, 2, 3, 0] as never), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => binding.readSocketOptions(new Uint32Array(3)), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })
  t.equal((await binding.readSocketOptions(new Uint32Array(0))).length, 0, 'no targets, no records')
})

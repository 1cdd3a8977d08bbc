// Permissions: an unprivileged user (uid 65534, in a child process) listing sockets of
// another user's process gets options: null with optionsError EPERM and a message that
// says how to get them, never the options; its own process's options it does read.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { listSockets } from '../../src/index.js'
import { holdOptions } from '../helpers/sockopt-holder.js'

const NOBODY = 65534
const LISTER = fileURLToPath(new URL('./fixtures/lister.ts', import.meta.url))
const LOADER = import.meta.resolve('@tapjs/typescript/import')

interface ListerOutput {
  uid: number
  listed: { inode: number; uid: number; options: unknown; optionsSource: string | null; optionsError?: { code: string; message: string }; processes: unknown[] }[]
  direct: { errno: number; syscall: number; reuseAddr: number | null }[]
}

/** Runs the lister as uid/gid 65534. */
async function listAsNobody(inodes: number[], targets: number[] = []): Promise<ListerOutput> {
  const child = spawn(process.execPath, ['--import', LOADER, LISTER], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
    env: { ...process.env, KNETSTAT_INODES: inodes.join(','), KNETSTAT_TARGETS: targets.join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`lister exited ${code}: ${err}`)
  return JSON.parse(out) as ListerOutput
}

const rootHolder = await holdOptions('options')
const nobodyHolder = await holdOptions('plain', { uid: NOBODY, gid: NOBODY })
t.teardown(async () => {
  await rootHolder.close()
  await nobodyHolder.close()
})

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
  t.strictSame(out.direct, [{ errno: 1, syscall: 2, reuseAddr: null }], 'pidfd_getfd fails with EPERM and reads nothing')
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

t.test('root (CAP_SYS_PTRACE) reads every user\'s sockets', async (t) => {
  const entries = await listSockets()
  for (const s of nobodyHolder.info.sockets) {
    const e = entries.find((x) => x.inode === s.inode)
    t.equal(e?.uid, NOBODY)
    t.equal(e?.optionsSource, 'pidfd', `${s.label} of uid 65534`)
  }
})

// Out of file descriptors: a real process (fixtures/fd-starved.ts, started under a low
// RLIMIT_NOFILE with prlimit) fills its descriptor table and lists with 0 to 5
// descriptors left, against real sockets a real other process holds with real
// setsockopt. Each listing either resolves with the right holders and options, or
// rejects with EMFILE/ENFILE (code, errno, syscall, a message that says what to do);
// it never says "no process holds this socket" of a socket a live process holds, and
// gives back every descriptor it took. The native option reader, called straight,
// rejects at pidfd_open or pidfd_getfd rather than fail each socket. Run as root (the /proc/<pid>/fd fast path) and
// as uid 65534 with CAP_SYS_PTRACE (the fdinfo fallback: root's fd directories are
// refused to it).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { listSockets } from '../../src/index.js'
import { readSysctlDefaults } from '../../src/sources/pidfd/index.js'
import { holdOptions } from '../helpers/sockopt-holder.js'
import { runToEnd, TS_LOADER } from '../helpers/child.js'
import { nobodyWithCaps } from '../helpers/nobody.js'

const STARVED = fileURLToPath(new URL('./fixtures/fd-starved.ts', import.meta.url))
// Enough for Node to start with room to spare; the fixture fills the rest.
const LIMIT = 256
// 0..5 left, then a control with plenty: there every listing must resolve.
const LEFT = [0, 1, 2, 3, 4, 5, 48]

const held = await holdOptions('options')
t.teardown(() => held.close())
const tcp = held.info.sockets.filter((s) => !s.label.startsWith('udp'))
const inodes = held.info.sockets.map((s) => s.inode)

// The reference, with descriptors to spare.
const sysctl = await readSysctlDefaults()
const referenceOf = async (options: 'pidfd' | 'bpf') =>
  new Map((await listSockets({ processes: true, options })).filter((e) => e.inode !== null && inodes.includes(e.inode)).map((e) => [e.inode, e]))
const reference = await referenceOf('pidfd')
// As root, 'auto' reads through the bpf source (which decides the connections' buffers
// pidfd names undecidable); uid 65534 with CAP_SYS_PTRACE may not load it: pidfd.
const bpfReference = await referenceOf('bpf')

interface Line {
  left: number
  name: string
  outcome: 'resolved' | 'rejected'
  error?: { code?: string; errno?: number; syscall?: string; message: string }
  seen?: {
    inode: number
    pids: number[] | null
    commands: string[] | null
    options: Record<string, unknown> | null
    optionsSource: string | null
    optionsError: { code: string; message: string } | null
  }[]
  /** readSocketOptions straight: each record's errno and syscall; readSysctlDefaults: the defaults. */
  value?: unknown
  freeAfter: number
}

async function starved(caps: string[] | null): Promise<{ lines: Line[]; stderr: string; code: number | null }> {
  const node = [process.execPath, '--import', TS_LOADER, STARVED]
  const asUser = caps === null ? [] : ['setpriv', ...nobodyWithCaps(caps), '--']
  const argv = ['prlimit', `--nofile=${LIMIT}:${LIMIT}`, '--', ...asUser, ...node]
  const targets = held.info.sockets.flatMap((s) => [held.info.pid, s.fd, s.inode, 0])
  const env = { ...process.env, KNETSTAT_INODES: inodes.join(','), KNETSTAT_LEFT: LEFT.join(','), KNETSTAT_TARGETS: targets.join(',') }
  const { code, stdout, stderr } = await runToEnd(argv, { cwd: '/', env })
  const lines = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line)
  return { lines, stderr, code }
}

const ERRNO: Record<string, number> = { EMFILE: -24, ENFILE: -23 }

const runs: [string, string[] | null][] = [
  ['root (the /proc/<pid>/fd path): right holders and options, or EMFILE', null],
  ['uid 65534 with CAP_SYS_PTRACE (the fdinfo fallback): right holders and options, or EMFILE', ['sys_ptrace']],
]

t.test('the reference saw every held socket', async (t) => {
  t.equal(reference.size, inodes.length)
})

for (const [title, caps] of runs) {
  t.test(title, async (t) => {
    const { lines, stderr, code } = await starved(caps)
    t.equal(code, 0, `the starved lister ran to the end ${stderr}`)
    t.equal(lines.length, LEFT.length * 9, 'a line for every (descriptors left, query)')
    let rejected = 0
    for (const line of lines) {
      const at = `${line.name} with ${line.left} left`
      t.equal(line.freeAfter, line.left, `${at}: every descriptor given back`)
      if (line.outcome === 'rejected') {
        rejected++
        const e = line.error!
        t.ok(e.code === 'EMFILE' || e.code === 'ENFILE', `${at}: rejected with EMFILE/ENFILE, not ${e.code}: ${e.message}`)
        t.equal(e.errno, ERRNO[e.code ?? ''], `${at}: errno`)
        t.match(e.syscall, /^[a-z_]+$/, `${at}: syscall named`)
        t.match(e.message, /ulimit -n/, `${at}: the message says what to do`)
        t.not(line.left, 48, `${at}: with descriptors to spare the listing resolves`)
        continue
      }
      if (line.name === 'readSocketOptions') {
        // Resolved: every socket's options were read; running out is never one socket's error.
        t.same(line.value, held.info.sockets.map(() => ({ errno: 0, syscall: 0 })), `${at}: every socket's options read`)
        continue
      }
      if (line.name === 'readSysctlDefaults') {
        // An unknown default would pass a default value off as one the process set.
        t.same(line.value, sysctl, `${at}: the defaults as read with descriptors to spare`)
        continue
      }
      const seen = line.seen!
      const tcpOnly = line.name === 'pidfd' || line.name === 'stream-auto'
      const want = tcpOnly ? tcp.map((s) => s.inode) : inodes
      t.same(seen.map((s) => s.inode).sort(), [...want].sort(), `${at}: every held socket listed`)
      for (const s of seen) {
        const ref = reference.get(s.inode)!
        if (s.pids !== null) {
          t.same(s.pids, [held.info.pid], `${at}: inode ${s.inode} held by the holder`)
          t.same(s.commands, ref.processes!.map((p) => p.command), `${at}: inode ${s.inode}: its command`)
        }
        if (!['netlink', 'processes', 'stream-processes'].includes(line.name)) {
          const viaBpf = caps === null && line.name !== 'pidfd'
          const want = viaBpf ? (bpfReference.get(s.inode) as typeof ref) : ref
          t.same(
            { options: s.options, source: s.optionsSource, error: s.optionsError },
            { options: want.options, source: viaBpf ? 'bpf' : 'pidfd', error: null },
            `${at}: inode ${s.inode}: the options the holder set`,
          )
        }
      }
    }
    t.ok(rejected > 0, 'some listings ran out of descriptors (the limit was reached)')
    const reader = lines.filter((l) => l.name === 'readSocketOptions' && l.left <= 1).map((l) => l.error?.syscall)
    t.same(reader, ['pidfd_open', 'pidfd_getfd'], 'the native reader rejects at pidfd_open with 0 left, at pidfd_getfd with 1')
  })
}

// The other side of failing loudly: processes exiting mid-scan (ENOENT/ESRCH at any
// step, fdopendir's fstat included) are skipped, never an error.
t.test('processes exiting mid-scan never fail the scan', async (t) => {
  const binding = (await import('../../src/native/load.js')).loadBinding()
  // Short-lived processes that exit at scattered moments, each with a few descriptors.
  const churn = spawn('bash', ['-c', 'for i in $(seq 600); do (exec 3</dev/null 4</dev/null; sleep 0.00$((RANDOM % 9))) & if (( i % 50 == 0 )); then wait; fi; done; wait'], { stdio: 'ignore' })
  let running = true
  churn.once('exit', () => (running = false))
  const failures: string[] = []
  let scans = 0
  while (running || scans < 20) {
    try {
      await binding.scanProcFds()
    } catch (error) {
      failures.push(String(error))
    }
    scans++
  }
  t.comment(`${scans} scans during the churn`)
  t.same(failures, [], 'every scan resolved')
})

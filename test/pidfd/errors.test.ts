// optionsError for what a live test cannot produce on this machine: a kernel without
// pidfd_getfd (ENOSYS), a holder that refuses while another permits, and sockets no
// visible process holds. The native reader is replaced by one returning crafted records.
import t from 'tap'
import type { SocketEntry } from '../../src/model.js'
import { fillOptionsFromPidfd } from '../../src/sources/pidfd/index.js'
import type { ProcessScan } from '../../src/sources/processes/index.js'

const RECORD_SLOTS = 35
const RECORD_BYTES = RECORD_SLOTS * 8 + 32

/** Records for the given targets: errno per (pid) from `fail`, else a socket with SO_REUSEADDR=1. */
function records(targets: Uint32Array, fail: Map<number, [errno: number, syscall: number]>): Buffer {
  const count = targets.length / 4
  const buf = Buffer.alloc(count * RECORD_BYTES)
  const f64 = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8)
  for (let i = 0; i < count; i++) {
    const base = i * (RECORD_BYTES / 8)
    f64.fill(NaN, base, base + RECORD_SLOTS)
    const pid = targets[i * 4] as number
    f64[base] = targets[i * 4 + 2] as number
    f64[base + 1] = pid
    f64[base + 2] = targets[i * 4 + 1] as number
    const failure = fail.get(pid)
    f64[base + 3] = failure?.[0] ?? 0
    f64[base + 4] = failure?.[1] ?? 0
    if (failure === undefined) {
      f64[base + 5] = 2 // AF_INET
      f64[base + 6] = 17 // UDP
      f64[base + 7] = 1 // SO_REUSEADDR
    }
  }
  return buf
}

/** fillOptionsFromPidfd over a reader that fails as `fail` says, per pid. */
function load(fail: Map<number, [number, number]>) {
  const reader = { readSocketOptions: async (targets: Uint32Array) => records(targets, fail) }
  return {
    fillOptionsFromPidfd: (entries: SocketEntry[], scan: ProcessScan, defaults: typeof sys) => fillOptionsFromPidfd(entries, scan, defaults, reader),
  }
}

const entry = (inode: number | null, state: SocketEntry['state'] = 'CLOSE', uid = 1000): SocketEntry => ({
  proto: 'udp',
  family: 4,
  state,
  recvQ: 0,
  sendQ: 0,
  local: { address: '127.0.0.1', port: 1 },
  remote: { address: '0.0.0.0', port: 0 },
  uid: inode === null ? null : uid,
  inode,
  diag: { sendWindowZero: false, receiveWindowZero: false, ackStalled: false },
  options: null,
  optionsSource: null,
})
const scanOf = (holders: [inode: number, pid: number, fd: number][], hidden: ProcessScan['hidden'] = []): ProcessScan => {
  const map = new Map<number, { pid: number; fd: number; command: string }[]>()
  for (const [inode, pid, fd] of holders) map.set(inode, [...(map.get(inode) ?? []), { pid, fd, command: `cmd${pid}` }])
  return { holders: map, hidden, scanned: 1 }
}
const sys = { tcpKeepaliveTime: 7200, tcpKeepaliveIntvl: 75, tcpKeepaliveProbes: 9, tcpRmemDefault: 131072, tcpWmemDefault: 16384, rmemDefault: 212992, wmemDefault: 212992 }

t.test('ENOSYS: a kernel without pidfd_getfd says to load the module', async (t) => {
  const { fillOptionsFromPidfd } = load(new Map([[10, [38, 2]]]))
  const e = entry(100)
  await fillOptionsFromPidfd([e], scanOf([[100, 10, 3]]), sys)
  t.equal(e.options, null)
  t.equal(e.optionsError?.code, 'ENOSYS')
  t.match(e.optionsError?.message, /no pidfd_getfd \(Linux 5\.6 or later is needed.*load the knetstat kernel module/)
})

t.test('EPERM from one holder, success from the next: options read', async (t) => {
  const { fillOptionsFromPidfd } = load(new Map([[10, [1, 2]]]))
  const e = entry(100)
  await fillOptionsFromPidfd([e], scanOf([[100, 10, 3], [100, 11, 4]]), sys)
  t.equal(e.optionsSource, 'pidfd')
  t.same(e.options, { SO_REUSEADDR: true })
  t.equal(e.optionsError, undefined)
})

t.test('EPERM from every holder names the process and what to do', async (t) => {
  const { fillOptionsFromPidfd } = load(new Map([[10, [1, 2]], [11, [3, 1]]]))
  const e = entry(100)
  await fillOptionsFromPidfd([e], scanOf([[100, 10, 3], [100, 11, 4]]), sys)
  t.equal(e.options, null)
  t.equal(e.optionsError?.code, 'EPERM', 'the permission error wins over a vanished process')
  t.match(e.optionsError?.message, /process 10 \(cmd10\) of uid 1000: pidfd_getfd needs ptrace access.*CAP_SYS_PTRACE/)
})

t.test('no holder, no file, a vanished holder', async (t) => {
  const { fillOptionsFromPidfd } = load(new Map([[12, [3, 1]]]))
  const timeWait: SocketEntry = { ...entry(null, 'TIME_WAIT'), proto: 'tcp' }
  const orphan = entry(200, 'CLOSE', process.geteuid?.() ?? 0)
  const gone = entry(300)
  const closed = entry(400)
  const stale = load(new Map([[13, [116, 3]]]))
  await fillOptionsFromPidfd([timeWait, orphan, gone], scanOf([[300, 12, 5]]), sys)
  await stale.fillOptionsFromPidfd([closed], scanOf([[400, 13, 6]]), sys)
  t.equal(timeWait.optionsError?.code, 'ENOENT')
  t.match(timeWait.optionsError?.message, /TIME_WAIT entry is a minisocket/)
  t.equal(orphan.optionsError?.code, 'ESRCH', 'held by no process, and nothing hidden')
  t.equal(gone.optionsError?.code, 'ESRCH', 'the holder exited (pidfd_open ESRCH)')
  t.equal(closed.optionsError?.code, 'ESTALE')
  t.match(closed.optionsError?.message, /closed the socket's descriptor during the listing/)

  // As root, with some process's fds unreadable: the owner may be that one.
  const hidden = entry(500)
  await fillOptionsFromPidfd([hidden], scanOf([], [{ pid: 1, command: 'init', code: 'EACCES' }]), sys)
  t.equal(hidden.optionsError?.code, 'EPERM', 'another user\'s socket whose holder could not be seen')
  t.match(hidden.optionsError?.message, /no process visible to you holds this socket.*CAP_SYS_PTRACE/)
})

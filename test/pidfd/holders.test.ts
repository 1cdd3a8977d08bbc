// processes: every holder of a socket (a fork, an SCM_RIGHTS receiver); the owner
// keeps exchanging data while it is listed; no descriptor leaks across 1,000 listings.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import t from 'tap'
import { listSockets } from '../../src/index.js'
import { OptionRecords, pidfdBinding, SLOT, SYSCALLS } from '../../src/sources/pidfd/index.js'
import { errnoName } from '../../src/util/errno.js'
import { holdOptions, socketOf } from '../helpers/sockopt-holder.js'

// 1,000 listings each scan every process's descriptors: minutes on a host that also
// holds a benchmark's socket farm, seconds otherwise.
t.setTimeout(900_000)

t.test('processes lists every holder: the forked child and the SCM_RIGHTS receiver', async (t) => {
  const held = await holdOptions('holders')
  t.teardown(() => held.close())
  const { pid, forkedPid, receiverPid, receivedFd } = held.info
  const entries = await listSockets({ processes: true, options: 'pidfd' })
  const forked = socketOf(held.info, 'forked')
  const passed = socketOf(held.info, 'passed')
  const byInode = (inode: number) => entries.find((e) => e.inode === inode)
  t.strictSame(
    byInode(forked.inode)?.processes,
    [
      { pid, fd: forked.fd, command: 'python3' },
      { pid: forkedPid, fd: forked.fd, command: 'python3' },
    ].sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0)),
    'parent and forked child, same fd number',
  )
  t.strictSame(
    byInode(passed.inode)?.processes,
    [
      { pid, fd: passed.fd, command: 'python3' },
      { pid: receiverPid, fd: receivedFd, command: 'python3' },
    ].sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0)),
    'sender and receiver, each with its own fd number',
  )
  t.equal(byInode(forked.inode)?.optionsSource, 'pidfd', 'options read through one of the holders')
})

t.test('the owner keeps exchanging data while it is listed, and its options are unchanged', async (t) => {
  const held = await holdOptions('echo')
  t.teardown(() => held.close())
  const lines = createInterface({ input: held.child.stdout! })[Symbol.asyncIterator]()
  const status = async (): Promise<{ count: number; errors: string[]; nodelay: number }> => {
    held.child.stdin!.write('\n')
    return JSON.parse((await lines.next()).value as string)
  }
  const before = await status()
  const client = socketOf(held.info, 'echo.client')
  for (let i = 0; i < 50; i++) {
    const entries = await listSockets({ proto: 'tcp', family: 4, processes: true, options: 'pidfd' })
    const e = entries.find((x) => x.inode === client.inode)
    t.equal(e?.options?.TCP_NODELAY, true, `listing ${i}`)
  }
  const after = await status()
  t.ok(after.count > before.count, `ping-pongs went on: ${before.count} -> ${after.count}`)
  t.strictSame(after.errors, [], 'no error on the owner side')
  t.equal(after.nodelay, 1, 'the owner still sees its option')
})

t.test('no descriptor leaks after 1,000 listings, nor on failing reads', async (t) => {
  // Each listing scans every process's fds: slow on a host that holds a socket farm.
  t.setTimeout(900_000)
  const held = await holdOptions('plain')
  t.teardown(() => held.close())
  const count = (): number => readdirSync('/proc/self/fd').length
  const query = { state: ['LISTEN', 'CLOSE'], processes: true, options: 'pidfd' } as const
  await listSockets(query) // warm up: the addon, libuv's threads
  const before = count()
  for (let i = 0; i < 1000; i++) {
    const entries = await listSockets(query)
    if (i === 0) t.ok(entries.some((e) => e.optionsSource === 'pidfd'), 'options were read')
  }
  t.equal(count(), before, `${before} descriptors before and after 1,000 listings`)

  // Failing paths: a pid that does not exist (pidfd_open ESRCH), an fd that is not
  // open (EBADF), an fd that is not the socket asked for (ESTALE).
  const stdinInode = statSync('/proc/self/fd/0').ino
  const gone = spawnSync('true').pid as number // exited and reaped
  const targets = Uint32Array.from([process.pid, 4_000_000, 1, 0, process.pid, 0, stdinInode + 1, 0, gone, 3, 1, 0])
  let outcome: string[] = []
  for (let i = 0; i < 1000; i++) {
    const records = new OptionRecords(await pidfdBinding().readSocketOptions(targets))
    outcome = Array.from({ length: records.count }, (_, i) => `${SYSCALLS[records.value(i, SLOT.syscall) ?? 0]}:${errnoName(records.value(i, SLOT.errno) ?? 0)}`)
  }
  t.strictSame(outcome, ['pidfd_getfd:EBADF', 'fstat:ESTALE', 'pidfd_open:ESRCH'])
  t.equal(count(), before, 'and after 3,000 failed reads')
})

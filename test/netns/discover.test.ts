// findNetworkNamespaces over real namespaces: named ones, unshared processes, a
// process inside a named one (one entry, not two), and an unprivileged caller.
import { readlinkSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { findNetworkNamespaces } from '../../src/netns/index.js'
import { TS_LOADER } from '../helpers/child.js'
import { runAsNobody } from '../helpers/nobody.js'
import { addNamedNetns, processIn, whyNoNamespaces } from './fixtures/namespaces.js'

const ownInode = Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1])

t.test("the caller's own namespace is found, first, and marked", async (t) => {
  const scan = await findNetworkNamespaces()
  const own = scan.namespaces.filter((n) => n.own)
  t.equal(own.length, 1)
  t.equal(scan.namespaces[0]?.own, true)
  t.equal(own[0]?.inode, ownInode)
  t.ok((own[0]?.processCount ?? 0) >= 1, 'this process is in it')
  t.equal(statSync(own[0]?.path as string).ino, ownInode, 'its path opens it')
  t.ok(scan.processesScanned >= (own[0]?.processCount ?? 0))
})

const skip = whyNoNamespaces()
t.test('named, unshared and shared namespaces', { skip: skip ?? false }, async (t) => {
  const named = addNamedNetns()
  t.teardown(() => named.close())
  const unshared = await processIn(['unshare', '--net'])
  t.teardown(() => unshared.close())
  const inNamed = await processIn(['ip', 'netns', 'exec', named.name])
  t.teardown(() => inNamed.close())

  const { namespaces } = await findNetworkNamespaces()
  const keys = namespaces.map((n) => `${n.device}:${n.inode}`)
  t.equal(new Set(keys).size, keys.length, 'one entry per (device, inode)')

  const namedInode = statSync(`/run/netns/${named.name}`).ino
  const n = namespaces.find((x) => x.inode === namedInode)
  t.ok(n, 'the named namespace is found')
  t.equal(n?.name, named.name)
  t.equal(n?.path, `/run/netns/${named.name}`, 'entered through its bind mount')
  t.same(n?.mounts, [`/run/netns/${named.name}`])
  t.equal(n?.processCount, 1, 'the process ip netns exec started is counted in it')
  t.equal(n?.firstPid, inNamed.pid)
  t.equal(n?.own, false)

  const unsharedInode = statSync(`/proc/${unshared.pid}/ns/net`).ino
  const u = namespaces.find((x) => x.inode === unsharedInode)
  t.ok(u, 'the unshared process\'s namespace is found')
  t.not(unsharedInode, ownInode)
  t.equal(u?.name, undefined)
  t.same(u?.mounts, [])
  t.equal(u?.path, `/proc/${unshared.pid}/ns/net`, 'entered through its only process')
  t.equal(u?.processCount, 1)

  await unshared.close()
  const after = await findNetworkNamespaces()
  t.notOk(after.namespaces.some((x) => x.inode === unsharedInode), 'gone with its last process')
})

t.test('a process that exits while the scan reads /proc is skipped, not thrown', { skip: skip ?? false }, async (t) => {
  // Many short-lived processes come and go during the scans: none may throw.
  const children = await Promise.all(Array.from({ length: 20 }, () => processIn(['unshare', '--net'])))
  const scans = [findNetworkNamespaces(), findNetworkNamespaces()]
  await Promise.all(children.map((c) => c.close()))
  for (const scan of await Promise.all(scans)) t.ok(scan.namespaces.some((n) => n.own))
})

t.test('an unprivileged caller sees its own namespace and is told which processes it could not read', { skip: skip ?? false }, async (t) => {
  const unshared = await processIn(['unshare', '--net'])
  t.teardown(() => unshared.close())
  const program = fileURLToPath(new URL('./fixtures/scan.ts', import.meta.url))
  const r = await runAsNobody([process.execPath, '--import', TS_LOADER, program])
  t.equal(r.code, 0, 'the scan ran as uid 65534')
  if (r.code !== 0) t.comment(r.stderr)
  const scan = JSON.parse(r.stdout) as Awaited<ReturnType<typeof findNetworkNamespaces>>
  t.ok(scan.namespaces.some((n) => n.own && n.inode === ownInode), 'its own namespace')
  t.ok(scan.unreadable.count >= 1, "root's processes are counted as unreadable")
  t.ok(scan.unreadable.examplePids.length >= 1 && scan.unreadable.examplePids.length <= 10, 'a few unreadable pids are named')
  t.notOk(scan.namespaces.some((n) => n.firstPid === unshared.pid), "root's unshared process's namespace is not seen")
})

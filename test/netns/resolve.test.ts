// resolveNetnsSpec: a name, a path and a pid resolve to the namespace they name; every
// wrong value is a NetnsError whose reason and message say what to do.
import { statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'

type TestLike = Pick<typeof t, 'fail' | 'equal' | 'match'>
import { NetnsError, resolveNetnsSpec, type NetnsErrorReason } from '../../src/netns/index.js'
import { addNamedNetns, processIn, whyNoNamespaces } from './fixtures/namespaces.js'

/** The NetnsError `spec` gives; fails the test when it resolves or throws something else. */
async function refusal(t: TestLike, spec: string | number): Promise<NetnsError> {
  try {
    const resolved = await resolveNetnsSpec(spec)
    t.fail(`${String(spec)} resolved to ${resolved.path}`)
  } catch (error) {
    if (error instanceof NetnsError) {
      t.equal(error.code, 'ERR_KNETSTAT_NETNS')
      t.equal(error.spec, spec)
      return error
    }
    t.fail(`${String(spec)} threw ${String(error)}`)
  }
  return new NetnsError('invalid', spec, null, 'unreachable')
}

const expectReason = async (t: TestLike, spec: string | number, reason: NetnsErrorReason, ...phrases: RegExp[]): Promise<void> => {
  const error = await refusal(t, spec)
  t.equal(error.reason, reason, `${String(spec)}: ${error.message}`)
  for (const phrase of phrases) t.match(error.message, phrase)
}

t.test('the own namespace by path and by pid', async (t) => {
  const inode = statSync('/proc/self/ns/net').ino
  const byPid = await resolveNetnsSpec(process.pid)
  t.equal(byPid.path, `/proc/${process.pid}/ns/net`)
  t.equal(byPid.inode, inode)
  t.equal(byPid.pid, process.pid)
  t.equal(byPid.name, undefined)
  const byPath = await resolveNetnsSpec('/proc/self/ns/net')
  t.equal(byPath.inode, inode)
  t.equal(byPath.device, statSync('/proc/self/ns/net').dev)
})

const skip = whyNoNamespaces()
t.test('a name, its path and a process in it resolve to one namespace', { skip: skip ?? false }, async (t) => {
  const named = addNamedNetns()
  t.teardown(() => named.close())
  const inside = await processIn(['ip', 'netns', 'exec', named.name])
  t.teardown(() => inside.close())
  const inode = statSync(`/run/netns/${named.name}`).ino

  const byName = await resolveNetnsSpec(named.name)
  t.same({ ...byName }, { path: `/run/netns/${named.name}`, inode, device: statSync(`/run/netns/${named.name}`).dev, name: named.name })
  const byPath = await resolveNetnsSpec(`/run/netns/${named.name}`)
  t.equal(byPath.inode, inode)
  t.equal(byPath.name, named.name, 'a path in /run/netns carries its name')
  const byPid = await resolveNetnsSpec(inside.pid)
  t.equal(byPid.inode, inode)
  t.equal(byPid.pid, inside.pid)

  // A typo: the names that exist are listed, the close one suggested.
  await expectReason(t, `${named.name}x`, 'no-such-name', /no network namespace named/, new RegExp(`did you mean ${named.name}\\?`), /ip netns add/)
})

t.test('a bind mount elsewhere (as docker makes in /run/docker/netns) resolves by the mount table', { skip: skip ?? false }, async (t) => {
  const named = addNamedNetns()
  t.teardown(() => named.close())
  const dir = mkdtempSync(join(tmpdir(), 'knetstat-netns-'))
  const file = join(dir, 'sandbox')
  writeFileSync(file, '')
  const { spawnSync } = await import('node:child_process')
  const mounted = spawnSync('mount', ['--bind', `/run/netns/${named.name}`, file], { encoding: 'utf8' })
  t.teardown(() => {
    spawnSync('umount', [file])
    rmSync(dir, { recursive: true, force: true })
  })
  if (mounted.status !== 0) {
    t.comment(`mount --bind failed: ${mounted.stderr}`)
    return
  }
  const r = await resolveNetnsSpec(file)
  t.equal(r.inode, statSync(`/run/netns/${named.name}`).ino)
  t.equal(r.name, undefined, 'no name outside /run/netns')
  const { findNetworkNamespaces } = await import('../../src/netns/index.js')
  const found = (await findNetworkNamespaces()).namespaces.find((n) => n.inode === r.inode)
  t.same(found?.mounts, [`/run/netns/${named.name}`, file], 'discovery lists both mounts')
  t.equal(found?.path, `/run/netns/${named.name}`, 'and enters through the named one')
  t.equal(found?.name, named.name)
})

t.test('wrong values say what is wrong and what to pass', async (t) => {
  await expectReason(t, '/proc/self/ns/mnt', 'not-a-network-namespace', /is a mnt namespace, not a network one/)
  await expectReason(t, '/etc/hostname', 'not-a-namespace', /not a namespace file/, /\/proc\/PID\/ns\/net/)
  await expectReason(t, '/no/such/file', 'no-such-path', /no such file/)
  await expectReason(t, 99_999_999, 'no-such-process', /no process 99999999/)
  await expectReason(t, '/proc/99999999/ns/net', 'no-such-process', /no process 99999999/)
  await expectReason(t, 0, 'invalid', /not a process id/)
  await expectReason(t, -3, 'invalid')
  await expectReason(t, 1.5, 'invalid')
  await expectReason(t, '', 'invalid')
  await expectReason(t, '..', 'invalid')
  await expectReason(t, `knetstat-none-${process.pid}`, 'no-such-name', /ip netns list/)
})

t.test("a name made of digits that is no name points at the process's namespace", async (t) => {
  await expectReason(t, String(process.pid), 'no-such-name', new RegExp(`pass the number ${process.pid} or /proc/${process.pid}/ns/net`))
})

t.test('a stale /run/netns file (its mount gone) is named as such', { skip: skip ?? false }, async (t) => {
  const named = addNamedNetns()
  t.teardown(() => named.close())
  const { spawnSync } = await import('node:child_process')
  t.equal(spawnSync('umount', [`/run/netns/${named.name}`]).status, 0, 'the bind mount is removed, the file stays')
  await expectReason(t, named.name, 'not-a-namespace', /left from a namespace that is gone/, new RegExp(`ip netns delete ${named.name}`))
})

t.test("another user's process: permission denied, in words", { skip: skip ?? false }, async (t) => {
  // As uid 65534, root's unshared process cannot be read.
  const unshared = await processIn(['unshare', '--net'])
  t.teardown(() => unshared.close())
  const { runAsNobody } = await import('../helpers/nobody.js')
  const { TS_LOADER } = await import('../helpers/child.js')
  const program = new URL('./fixtures/resolve.ts', import.meta.url).pathname
  const r = await runAsNobody([process.execPath, '--import', TS_LOADER, program, String(unshared.pid)])
  const out = JSON.parse(r.stdout) as { code?: string; reason?: string; message?: string }
  t.equal(out.code, 'ERR_KNETSTAT_NETNS')
  t.equal(out.reason, 'permission')
  t.match(out.message, /permission denied reading/)
})

// The resolver on a real cgroup2 tree: a cgroup named as docker's systemd driver names
// a container's, a process moved into it that then opens a TCP socket, the id (the
// directory's inode) resolved to the path /proc/PID/cgroup gives, and `ss --cgroup`
// (which reads the socket's INET_DIAG_CGROUP_ID from the kernel) agreeing.
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmdirSync, statSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import t from 'tap'
import { CgroupResolver, processCgroupPath } from '../../src/cgroups/index.js'
import { listenerInCgroup, mountCgroup2 } from '../helpers/cgroup2.js'

const mounted = mountCgroup2()
if (mounted instanceof Error) {
  t.plan(0, mounted.message)
} else {
  t.teardown(() => mounted.close())
  const id = randomBytes(32).toString('hex')
  const slice = `knetstat-test-${randomBytes(4).toString('hex')}.slice`
  const cgroupPath = `/${slice}/docker-${id}.scope`
  const dir = mounted.make(cgroupPath.slice(1))
  const cgroupId = statSync(dir, { bigint: true }).ino
  const ourMount = [{ fsType: 'cgroup2', mountPoint: mounted.dir, root: '/', device: '' }]

  t.test('a socket made in a docker-named cgroup', async (t) => {
    const listener = await listenerInCgroup(dir)
    t.teardown(() => listener.close())
    t.equal(await processCgroupPath(listener.pid), cgroupPath, "/proc/PID/cgroup's 0:: line names the cgroup")

    const resolver = new CgroupResolver({ mounts: ourMount })
    const paths = await resolver.resolve([cgroupId])
    t.equal(paths.get(cgroupId.toString()), cgroupPath, "the directory's inode resolves to its path")
    t.equal(resolver.walks, 1)
    const attributed = await resolver.attribute(cgroupId.toString())
    t.same(attributed, {
      id: cgroupId.toString(),
      path: cgroupPath,
      source: 'cgroup-id',
      container: { runtime: 'docker', containerId: id, unit: `docker-${id}.scope` },
    })
    t.equal(resolver.walks, 1, 'the second ask is served from the cache')

    // The resolver the library would make, on the host's own mount table.
    const host = new CgroupResolver()
    t.equal((await host.resolve([Number(cgroupId)])).get(cgroupId.toString()), cgroupPath, 'found through the mount table too')

    // ss reads the socket's cgroup id from netlink and names it: the same cgroup.
    const ss = spawnSync('ss', ['-tlnH', '--cgroup', 'sport', '=', `:${listener.port}`], { encoding: 'utf8' })
    if (ss.status === 0 && ss.stdout.includes('cgroup:')) {
      t.match(ss.stdout, `cgroup:${cgroupPath}`, "the socket's own cgroup (netlink) is the process's")
    } else t.comment(`ss --cgroup is not available here: ${ss.stderr}`)

    // With no cgroup2 mount to walk, a holder's cgroup stands in, marked as such.
    const v1Only = new CgroupResolver({ mounts: [] })
    const hinted = await v1Only.attribute(cgroupId, [999_999_999, listener.pid])
    t.equal(hinted.path, cgroupPath)
    t.equal(hinted.source, 'holder')
    t.equal(hinted.pid, listener.pid, 'the first holder that could be read')
    t.equal(hinted.unknown?.code, 'no-cgroup2-mount')
    t.match(hinted.unknown?.message, /no cgroup2 file system is mounted/)
    t.equal(hinted.container?.containerId, id)
    t.equal(v1Only.walks, 0)
    const nothing = await v1Only.attribute(cgroupId)
    t.same([nothing.path, nothing.source, nothing.container, nothing.unknown?.code], [null, null, null, 'no-cgroup2-mount'])
  })

  t.test('a removed cgroup: not found, and not walked for again', async (t) => {
    const gone = join(mounted.dir, slice, 'removed')
    mkdirSync(gone)
    const goneId = statSync(gone, { bigint: true }).ino
    rmdirSync(gone)
    const resolver = new CgroupResolver({ mounts: ourMount })
    const first = await resolver.attribute(goneId)
    t.equal(first.path, null)
    t.equal(first.unknown?.code, 'not-found')
    t.match(first.unknown?.message, `no cgroup under ${mounted.dir} has id ${goneId}`)
    t.equal(resolver.walks, 1)
    await resolver.resolve([goneId, cgroupId])
    t.equal(resolver.walks, 2, 'a walk for the new id only')
    await resolver.resolve([goneId])
    t.equal(resolver.walks, 2, 'the removed id is not walked for')
  })

  t.test('a new cgroup after a walk is found by the next one', async (t) => {
    const resolver = new CgroupResolver({ mounts: ourMount })
    await resolver.resolve([cgroupId])
    const later = mounted.make(`${slice}/later.service`)
    const laterId = statSync(later, { bigint: true }).ino
    t.equal((await resolver.resolve([laterId])).get(laterId.toString()), `/${slice}/later.service`)
    t.equal((await resolver.attribute(laterId)).container?.unit, 'later.service')
  })

  t.test('the cache keeps `capacity` paths, the least recently used dropped first', async (t) => {
    const ids = ['a', 'b', 'c'].map((n) => statSync(mounted.make(`${slice}/${n}`), { bigint: true }).ino)
    const resolver = new CgroupResolver({ mounts: ourMount, capacity: 2 })
    await resolver.resolve(ids)
    t.equal(resolver.walks, 1, 'one walk for all three')
    await resolver.resolve(ids.slice(1))
    t.equal(resolver.walks, 1, 'the two most recent are cached')
    t.equal((await resolver.resolve([ids[0] as bigint])).get(String(ids[0])), `/${slice}/a`, 'the dropped one is found again')
    t.equal(resolver.walks, 2, 'by a new walk')
  })

  t.test('ids are decimal text, bigints or safe integers', async (t) => {
    const resolver = new CgroupResolver({ mounts: ourMount })
    const byKinds = await resolver.resolve([cgroupId, Number(cgroupId), cgroupId.toString(), `00${cgroupId}`, 0, null])
    t.same(Object.fromEntries(byKinds), { [cgroupId.toString()]: cgroupPath, 0: null }, 'one key per id, whatever its form')
    await t.rejects(resolver.resolve(['12ab']), RangeError)
    await t.rejects(resolver.resolve([-1]), RangeError)
    t.equal((await resolver.attribute(0)).unknown?.code, 'no-id')
    t.equal((await resolver.attribute(null)).unknown?.code, 'no-id')
  })
}

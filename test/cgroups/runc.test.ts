// A container run by a real runtime (runc, busybox): its process's cgroup path names
// the container id, the resolver maps the cgroup's id to that path, ss agrees for the
// container's own listening socket, and namespace discovery finds its network namespace.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readlinkSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { CgroupResolver, findCgroup2Mount, parseContainer, processCgroupPath } from '../../src/cgroups/index.js'
import { findNetworkNamespaces } from '../../src/netns/index.js'
import { listSockets } from '../../src/index.js'
import { runBusybox, whyNoRunc } from './fixtures/runc.js'

const why = whyNoRunc()
if (why !== null) t.plan(0, why)
else {
  t.test('runc, docker cgroupfs driver form: /docker/<id>', async (t) => {
    const id = randomBytes(32).toString('hex')
    const container = runBusybox(id, ['nc', '-l', '-p', '8080'])
    t.teardown(() => container.close())

    const path = await processCgroupPath(container.pid)
    t.equal(path, `/docker/${id}`, "the container's process is in the cgroup runc was given")
    t.same(parseContainer(path ?? ''), { runtime: 'docker', containerId: id })

    const sockets = readdirSync(`/proc/${container.pid}/fd`).filter((fd) => readlinkSync(`/proc/${container.pid}/fd/${fd}`).startsWith('socket:'))
    t.equal(sockets.length, 1, 'nc holds its listening socket')

    const mount = await findCgroup2Mount()
    if (mount === null) {
      t.comment('no cgroup2 mount on this host: the id cannot be resolved, the holder hint stands in')
      const hinted = await new CgroupResolver().attribute('12345', [container.pid])
      t.equal(hinted.source, 'holder')
      t.equal(hinted.container?.containerId, id)
      return
    }
    const cgroupId = statSync(join(mount.mountPoint, 'docker', id), { bigint: true }).ino
    const attributed = await new CgroupResolver().attribute(cgroupId, [container.pid])
    t.equal(attributed.path, `/docker/${id}`)
    t.equal(attributed.source, 'cgroup-id')
    t.same(attributed.container, { runtime: 'docker', containerId: id })

    // The socket's own cgroup, from the kernel through ss in the container's namespace.
    const ss = spawnSync('nsenter', ['-t', String(container.pid), '-n', 'ss', '-tlnH', '--cgroup'], { encoding: 'utf8' })
    if (ss.status === 0 && ss.stdout.includes('cgroup:')) t.match(ss.stdout, `cgroup:/docker/${id}`, "the listener's cgroup is the container's")
    else t.comment(`ss --cgroup did not run in the container's namespace: ${ss.stderr}`)

    const { namespaces } = await findNetworkNamespaces()
    const netns = namespaces.find((n) => n.inode === statSync(`/proc/${container.pid}/ns/net`).ino)
    t.ok(netns, "the container's network namespace is found")
    t.equal(netns?.own, false)
    t.equal(netns?.firstPid, container.pid, 'through its one process')
  })

  t.test("listSockets: the container's sockets, in its namespace, attributed to it", async (t) => {
    const id = randomBytes(32).toString('hex')
    const container = runBusybox(id, ['nc', '-l', '-p', '8081'])
    t.teardown(() => container.close())
    const inode = statSync(`/proc/${container.pid}/ns/net`).ino
    // nc listens once it runs: wait for its socket.
    const listed = async (query: Parameters<typeof listSockets>[0]) => {
      for (let i = 0; i < 100; i++) {
        const found = (await listSockets(query)).filter((e) => e.local.port === 8081 && e.state === 'LISTEN' && e.netns?.inode === inode)
        if (found.length > 0) return found
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return []
    }
    const [socket] = await listed({ netns: container.pid, cgroup: true, processes: true })
    t.ok(socket, "the container's listener, listed in its namespace by its pid")
    t.same(socket?.processes?.map((p) => p.pid), [container.pid], 'held by the container process (host pid)')
    t.same(socket?.cgroup?.container, { runtime: 'docker', containerId: id }, 'attributed to the container by the socket\'s own cgroup')
    t.equal(socket?.cgroup?.path, `/docker/${id}`)
    const [inAll] = await listed({ netns: 'all', cgroup: true, proto: 'tcp', state: 'LISTEN' })
    t.equal(inAll?.cgroup?.container?.containerId, id, "netns 'all' finds and attributes it too")
  })
}

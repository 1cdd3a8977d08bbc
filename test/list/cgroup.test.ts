// `cgroup: true`: each socket's own cgroup (the id netlink reports) as a path and the
// container it names, with a real cgroup2 tree and a process moved into a cgroup
// named as docker's systemd driver names a container's before it opens its socket.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { listSockets } from '../../src/index.js'
import { listenerInCgroup, mountCgroup2 } from '../helpers/cgroup2.js'

const mounted = mountCgroup2()
if (mounted instanceof Error) t.plan(0, mounted.message)
else {
  t.teardown(() => mounted.close())
  t.test('a socket made in a docker-named cgroup is attributed to the container', async (t) => {
    const id = randomBytes(32).toString('hex')
    const path = `/knetstat-test-${randomBytes(4).toString('hex')}.slice/docker-${id}.scope`
    const listener = await listenerInCgroup(mounted.make(path.slice(1)))
    t.teardown(() => listener.close())
    const [entry, ...rest] = await listSockets({ localPort: listener.port, proto: 'tcp', cgroup: true })
    t.equal(rest.length, 0, 'one listener on the port')
    t.equal(entry?.cgroup?.id, entry?.netlink?.cgroupId, "the id is the socket's own, from netlink")
    t.equal(entry?.cgroup?.path, path, 'resolved to its path')
    t.equal(entry?.cgroup?.source, 'cgroup-id')
    t.same(entry?.cgroup?.container, { runtime: 'docker', containerId: id, unit: `docker-${id}.scope` })
    t.ok(Object.isFrozen(entry?.cgroup), 'entries of one cgroup share a frozen attribution')

    const plain = await listSockets({ localPort: listener.port, proto: 'tcp' })
    t.equal(plain[0]?.cgroup, undefined, 'without cgroup: true, no attribution')
    await t.rejects(listSockets({ cgroup: 'yes' as unknown as boolean }), { name: 'TypeError', message: /cgroup must be true or false/ })
  })
}

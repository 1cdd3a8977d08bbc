// The command over other network namespaces (-N, --all-netns) and containers
// (--cgroup), with a real namespace holding real sockets and a real cgroup.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { listenerInCgroup, mountCgroup2 } from '../helpers/cgroup2.js'
import { holdSockets } from '../helpers/child.js'
import { knetstat } from '../helpers/cli.js'

const HOLDER = fileURLToPath(new URL('../helpers/netns_sockets.py', import.meta.url))
const root = process.getuid?.() === 0

t.test('-N and --all-netns', { skip: root ? false : 'needs root (ip netns add)' }, async (t) => {
  const name = `knetstat-cli-${process.pid}`
  if (spawnSync('ip', ['netns', 'add', name]).status !== 0) throw new Error(`ip netns add ${name} failed`)
  t.teardown(() => void spawnSync('ip', ['netns', 'del', name]))
  const held = await holdSockets<{ pid: number; netns: number }>('ip', ['netns', 'exec', name, 'python3', HOLDER, '7311', '60'])
  t.teardown(() => held.close())

  const text = knetstat(['-N', name, '-t', '--sport', '7311'])
  t.equal(text.status, 0, text.stderr)
  t.match(text.stdout, /127\.0\.0\.1:7311 .* LSTN .*SO_KEEPALIVE=1.* netns:knetstat-cli-/, 'knetstat text: the listener, its options, its namespace')
  t.notMatch(knetstat(['-t', '--sport', '7311']).stdout, /7311/, 'without -N: the caller namespace, which has no such socket')

  const byPid = knetstat(['-N', String(held.info.pid), '-t', '--sport', '7311', '--format', 'table'])
  const rows = byPid.stdout.split('\n')
  t.match(rows[0], /^Netns +Proto +Recv-Q/, 'the table has a Netns column first')
  t.match(rows[1], new RegExp(`^${name} +tcp +0 +8 +127\\.0\\.0\\.1:7311`), 'by pid: the namespace named, its listener with its backlog')

  const json = JSON.parse(knetstat(['--all-netns', '-t', '--sport', '7311', '--json']).stdout) as { netns: { inode: number; name: string } }[]
  t.ok(json.length > 0 && json.every((e) => e.netns.inode === held.info.netns && e.netns.name === name), '--all-netns --json: each socket with its namespace')

  const missing = knetstat(['-N', 'knetstat-no-such-netns'])
  t.equal(missing.status, 1)
  t.match(missing.stderr, /no network namespace named 'knetstat-no-such-netns'/, 'a namespace that does not exist is said')
  const both = knetstat(['-N', name, '--all-netns'])
  t.equal(both.status, 2, 'one namespace or all, not both')
  t.equal(knetstat(['check', '--port', '7311', '--all-netns']).status, 2, 'check takes one namespace')

  const check = knetstat(['check', '-N', name, '--port', '7311', '--expect', 'SO_KEEPALIVE=1'])
  t.equal(check.status, 0, `check -N: the service in the namespace passes: ${check.stdout}${check.stderr}`)
})

const mounted = mountCgroup2()
t.test('--cgroup names the container', { skip: mounted instanceof Error ? mounted.message : false }, async (t) => {
  if (mounted instanceof Error) return
  t.teardown(() => mounted.close())
  const id = randomBytes(32).toString('hex')
  const listener = await listenerInCgroup(mounted.make(`knetstat-test-${randomBytes(4).toString('hex')}.slice/docker-${id}.scope`))
  t.teardown(() => listener.close())
  const port = String(listener.port)
  const table = knetstat(['--cgroup', '-t', '--sport', port, '--format', 'table'])
  t.match(table.stdout, /Container/, 'a Container column')
  t.match(table.stdout, new RegExp(`docker:${id.slice(0, 12)}`), 'the short container id, as docker ps shows it')
  const text = knetstat(['--cgroup', '-t', '--sport', port])
  t.match(text.stdout, new RegExp(`cgroup:/knetstat-test-[0-9a-f]+\\.slice/docker-${id}\\.scope`), 'knetstat text: cgroup:PATH, as ss --cgroup writes it')
  t.equal(knetstat(['--cgroup', '--proc-net', '/tmp']).status, 2, 'a recording has no cgroups')
})

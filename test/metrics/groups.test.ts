// The socket gauges by network namespace and by container (groupBy), with real
// namespaces and a real cgroup, scraped from a real prom-client registry.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Registry } from 'prom-client'
import t from 'tap'
import { registerSocketMetrics } from '../../src/prometheus.js'
import { listenerInCgroup, mountCgroup2 } from '../helpers/cgroup2.js'
import { holdSockets } from '../helpers/child.js'
import { scrape, serveRegistry, value } from './scrape.js'

const HOLDER = fileURLToPath(new URL('../helpers/netns_sockets.py', import.meta.url))
const root = process.getuid?.() === 0

async function scraped(t: { teardown(fn: () => unknown): void }, options: Parameters<typeof registerSocketMetrics>[1]) {
  const registry = new Registry()
  registerSocketMetrics(registry, options)
  const served = await serveRegistry(registry)
  t.teardown(() => served.close())
  return (await scrape(served.url)).samples
}

t.test('sockets by network namespace, the label bounded', { skip: root ? false : 'needs root (ip netns add)' }, async (t) => {
  const names = [0, 1, 2].map((i) => `knetstat-metrics-${process.pid}-${i}`)
  for (const [i, name] of names.entries()) {
    if (spawnSync('ip', ['netns', 'add', name]).status !== 0) throw new Error(`ip netns add ${name} failed`)
    t.teardown(() => void spawnSync('ip', ['netns', 'del', name]))
    // Namespace i holds i + 1 listeners' worth of the holder's sockets.
    for (let n = 0; n <= i; n++) {
      const held = await holdSockets('ip', ['netns', 'exec', name, 'python3', HOLDER, String(9000 + n), '60'])
      t.teardown(() => held.close())
    }
  }
  // Other namespaces of the host (other tests' too) are groups as well: room for all.
  const samples = await scraped(t, { groupBy: 'netns', maxGroups: 10000, query: { proto: 'tcp' } })
  for (const [i, name] of names.entries()) {
    t.equal(value(samples, 'knetstat_sockets', { netns: name, proto: 'tcp', family: 4, state: 'LISTEN' }), i + 1, `${name}: its listeners`)
    t.equal(value(samples, 'knetstat_sockets', { netns: name, proto: 'tcp', family: 4, state: 'ESTABLISHED' }), 2 * (i + 1), `${name}: its connections`)
    t.equal(value(samples, 'knetstat_diag_sockets', { netns: name, flag: 'ackStalled' }), 0)
  }
  // Few groups allowed: the biggest stay, the rest are summed as "other".
  const bounded = await scraped(t, { groupBy: 'netns', maxGroups: 3, query: { proto: 'tcp', state: 'LISTEN' } })
  const groups = new Set(bounded.filter((s) => s.name === 'knetstat_sockets').map((s) => s.labels.netns))
  t.equal(groups.size, 3, 'at most maxGroups values of the label')
  t.ok(groups.has('other'), 'the rest as "other"')
  t.throws(() => registerSocketMetrics(new Registry(), { groupBy: 'pod' as 'netns' }), { name: 'TypeError', message: /groupBy "pod"/ })
  t.throws(() => registerSocketMetrics(new Registry(), { groupBy: 'netns', maxGroups: 1 }), { name: 'TypeError', message: /maxGroups/ })
})

const mounted = mountCgroup2()
t.test('sockets by container', { skip: mounted instanceof Error ? mounted.message : false }, async (t) => {
  if (mounted instanceof Error) return
  t.teardown(() => mounted.close())
  const id = randomBytes(32).toString('hex')
  const listener = await listenerInCgroup(mounted.make(`knetstat-test-${randomBytes(4).toString('hex')}.slice/docker-${id}.scope`))
  t.teardown(() => listener.close())
  const samples = await scraped(t, { groupBy: 'container', query: { proto: 'tcp', family: 4 } })
  t.equal(value(samples, 'knetstat_sockets', { container: id, proto: 'tcp', family: 4, state: 'LISTEN' }), 1, "the container's listener, labelled with its id")
})

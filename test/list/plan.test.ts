// The listing plan (src/plan.ts): which sources a query uses, whether it scans /proc,
// and whether a stream of it stays in bounded memory. The module's files are a
// stand-in directory (this host cannot load the module); a directory without them
// is a host without the module.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { planListing, type ListingPlan } from '../../src/plan.js'
import { normalizeQuery, type ListQuery } from '../../src/query.js'

const scratch = mkdtempSync(join(tmpdir(), 'knetstat-plan-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
const loaded = join(scratch, 'loaded')
const absent = join(scratch, 'absent')
mkdirSync(loaded)
mkdirSync(absent)
for (const file of ['tcpstat', 'tcp6stat', 'udpstat', 'udp6stat']) writeFileSync(join(loaded, file), '')

/** The plan in short: list source, option sources in order, processes, scan, bounded. */
async function plan(query: ListQuery, moduleDir: string): Promise<Record<string, unknown>> {
  const p: ListingPlan = await planListing(normalizeQuery(query), { moduleDir })
  const options = p.options.from === 'source' ? [p.options.source.name, ...p.options.then.map((s) => s.name)] : p.options.from
  return { list: p.list, options, processes: p.processes?.name ?? null, scan: p.scan, bounded: p.bounded }
}

t.test('netlink only: no source, no scan, bounded', async (t) => {
  t.same(await plan({ options: false }, loaded), { list: 'netlink', options: 'none', processes: null, scan: false, bounded: true })
  t.same(await plan({ options: false, processes: true }, absent), { list: 'netlink', options: 'none', processes: 'processes', scan: true, bounded: true })
})

// As root (the suite's user), the bpf source can serve; test/bpf/privileges.test.ts
// has the plan of an unprivileged caller.
t.test("'auto' takes the module when its files exist, else bpf, else pidfd", async (t) => {
  t.same(await plan({}, loaded), { list: 'netlink', options: ['module', 'bpf', 'pidfd'], processes: null, scan: false, bounded: false }, 'the join needs the whole table')
  t.same(await plan({ processes: true }, loaded), { list: 'netlink', options: ['module', 'bpf', 'pidfd'], processes: 'processes', scan: true, bounded: false })
  t.same(await plan({}, absent), { list: 'netlink', options: ['bpf', 'pidfd'], processes: null, scan: false, bounded: true }, 'bpf joins batch by batch: no /proc scan unless a socket is missed')
})

t.test("'pidfd', 'bpf' and 'module' name their source", async (t) => {
  t.same(await plan({ options: 'bpf' }, loaded), { list: 'netlink', options: ['bpf'], processes: null, scan: false, bounded: true }, 'the module is not looked at')
  t.same(await plan({ options: 'pidfd' }, loaded), { list: 'netlink', options: ['pidfd'], processes: null, scan: true, bounded: true }, 'the module is not looked at')
  t.same(await plan({ options: 'module' }, loaded), { list: 'netlink', options: ['module'], processes: null, scan: false, bounded: false })
  await t.rejects(plan({ options: 'module' }, absent), { code: 'ENOENT', path: join(absent, 'tcpstat'), message: /knetstat kernel module is not loaded/ })
})

t.test('a recording carries its own options: replay, read whole', async (t) => {
  t.same(await plan({ procNet: { tcpstat: '' } }, loaded), { list: 'replay', options: 'none', processes: null, scan: false, bounded: false })
})

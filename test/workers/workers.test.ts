// worker_threads: the addon is context-aware and keeps no shared state, so four
// workers and the main thread list at once and agree; a worker terminated in the
// middle of a listing takes nothing down and leaves no fd behind; 256 listings in
// flight at once all resolve with the right options.
import { readdirSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import t from 'tap'
import { listSockets, type SocketEntry } from '../../src/index.js'
import { holdOptions } from '../helpers/sockopt-holder.js'

const LISTER = new URL('./fixtures/lister.mjs', import.meta.url)
// The built library (npm test builds it first): a worker loads it in milliseconds,
// where the TypeScript loader would take seconds per worker.
const MODULE = new URL('../../dist/index.js', import.meta.url).href

const held = await holdOptions('options')
t.teardown(() => held.close())
const tcp = held.info.sockets.filter((s) => !s.label.startsWith('udp'))
const inodes = tcp.map((s) => s.inode)

interface Seen {
  options: Record<string, unknown> | null
  source: string | null
  pid: number | null
}
type SeenByInode = Record<string, Seen>

/** What the main thread reads for the held sockets: the reference. */
function seenIn(entries: SocketEntry[]): SeenByInode {
  const out: SeenByInode = {}
  for (const e of entries) {
    if (e.inode !== null && inodes.includes(e.inode)) out[e.inode] = { options: e.options as Seen['options'], source: e.optionsSource, pid: e.processes?.[0]?.pid ?? null }
  }
  return out
}

const reference = seenIn(await listSockets({ proto: 'tcp', processes: true, options: 'pidfd' }))

function fdCount(): number {
  return readdirSync('/proc/self/fd').length
}

/** Waits until this process holds no more fds than `limit` (a terminated worker's close as its env is torn down). */
async function fdsBackTo(limit: number): Promise<number> {
  let now = fdCount()
  for (let i = 0; i < 100 && now > limit; i++) {
    await sleep(50)
    now = fdCount()
  }
  return now
}

function startWorker(data: Record<string, unknown>): Worker {
  return new Worker(LISTER, { workerData: { module: MODULE, inodes, ports: tcp.map((s) => s.port), ...data } })
}

t.test('the reference listing saw every held socket through pidfd', (t) => {
  t.equal(Object.keys(reference).length, tcp.length)
  for (const s of tcp) {
    t.equal(reference[s.inode]?.source, 'pidfd', s.label)
    t.equal(reference[s.inode]?.pid, held.info.pid, s.label)
  }
  t.end()
})

t.test('four workers and the main thread list at the same time and agree', async (t) => {
  const rounds = 8
  const workers = Array.from({ length: 4 }, () => startWorker({ mode: 'rounds', rounds }))
  const fromWorkers = workers.map(
    (w) =>
      new Promise<{ results: { kind: number; count: number; seen: SeenByInode }[] }>((resolve, reject) => {
        w.once('message', resolve)
        w.once('error', reject)
        w.once('exit', (code) => reject(new Error(`worker exited ${code} before reporting`)))
      }),
  )
  const mainRounds: SeenByInode[] = []
  for (let i = 0; i < rounds; i++) {
    const entries = await listSockets({ proto: 'tcp', processes: true, options: 'pidfd', tcpInfo: i % 2 === 1 })
    mainRounds.push(seenIn(entries))
  }
  const reports = await Promise.all(fromWorkers)
  await Promise.all(workers.map((w) => w.terminate()))
  reports.forEach((report, w) => {
    t.equal(report.results.length, rounds, `worker ${w} ran every round`)
    for (const r of report.results) {
      t.ok(r.count >= tcp.length, `worker ${w}, kind ${r.kind}: a full listing`)
      t.same(r.seen, reference, `worker ${w}, kind ${r.kind}: the held sockets' options`)
    }
  })
  for (const seen of mainRounds) t.same(seen, reference, 'main thread, meanwhile')
})

t.test('terminating a worker in the middle of listings crashes nothing and leaks no fd', async (t) => {
  const baseline = fdCount()
  let terminated = 0
  for (let i = 0; i < 16; i++) {
    const worker = startWorker({ mode: 'loop' })
    const errors: unknown[] = []
    worker.on('error', (e) => errors.push(e))
    // The worker posts as each listing starts: stop it 0-4 ms into the first or
    // second one, while its dump, fd scan or option reads are on the thread pool.
    let started = 0
    await new Promise<void>((resolve) => {
      worker.on('message', () => {
        if (++started === 1 + (i % 2)) resolve()
      })
    })
    await sleep(i % 5)
    const code = await worker.terminate()
    t.equal(code, 1, `worker ${i}: terminated`)
    t.same(errors, [], `worker ${i}: no error event`)
    terminated++
  }
  t.equal(terminated, 16)
  // The process is whole: it still lists, with options, and holds no extra fd.
  const after = seenIn(await listSockets({ proto: 'tcp', processes: true, options: 'pidfd' }))
  t.same(after, reference, 'the main thread lists as before')
  const fds = await fdsBackTo(baseline)
  t.ok(fds <= baseline, `fd count back to ${baseline} (now ${fds})`)
})

t.test('256 listings in flight at once all resolve correctly', async (t) => {
  const baseline = fdCount()
  // A quarter read options (each scans /proc for holders); the rest take the other
  // native paths: dumps with tcp_info, kernel-side filters, UDP.
  const queries = [
    { proto: 'tcp', processes: true, options: 'pidfd' },
    { proto: 'tcp', tcpInfo: true, options: false },
    { proto: 'tcp', state: ['LISTEN', 'ESTABLISHED'], port: tcp.map((s) => s.port), options: false },
    { options: false },
  ] as const
  const results = await Promise.allSettled(Array.from({ length: 256 }, (_, i) => listSockets(queries[i % queries.length])))
  const rejected = results.filter((r) => r.status === 'rejected')
  t.same(
    rejected.map((r) => String((r as PromiseRejectedResult).reason)),
    [],
    'none rejected',
  )
  let right = 0
  const wrong: unknown[] = []
  results.forEach((r, i) => {
    if (r.status !== 'fulfilled') return
    const found = new Set(r.value.map((e) => e.inode))
    const missing = inodes.filter((inode) => !found.has(inode))
    if (i % queries.length === 0) {
      const seen = seenIn(r.value)
      if (JSON.stringify(seen) === JSON.stringify(reference)) right++
      else wrong.push({ i, missing, seen })
    } else if (missing.length === 0) right++
    else wrong.push({ i, missing })
  })
  t.equal(right, 256, 'every listing has the held sockets (with their options where asked)', { wrong })
  const fds = await fdsBackTo(baseline)
  t.ok(fds <= baseline, `fd count back to ${baseline} (now ${fds})`)
})

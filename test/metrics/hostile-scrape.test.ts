// A collector whose query replays a hostile recording (a FIFO, a 50 MB line), or whose
// listing never ends, still answers every scrape: listing_success 0, the error counted
// and kept in lastError, and the next scrape lists again. No timed assertion: a scrape
// that never completes is caught by the tap timeout.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import t from 'tap'
import type { ListQuery, SocketEntry } from '../../src/index.js'
import { registerSocketMetrics } from '../../src/prometheus.js'
import { TCP_HEADER, TEXT_FIXTURES as FIXTURES } from '../helpers/knetstat-text.js'
import { scrape, serveRegistry, value } from './scrape.js'

const scratch = mkdtempSync(join(tmpdir(), 'knetstat-scrape-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

async function serve(t: { teardown(fn: () => unknown): void }, registry: Registry): Promise<string> {
  const server = await serveRegistry(registry)
  t.teardown(() => server.close())
  return server.url
}

t.test('a FIFO recording: every scrape completes and reports the failure', { timeout: 60_000 }, async (t) => {
  const dir = join(scratch, 'fifo')
  mkdirSync(dir)
  execFileSync('mkfifo', [join(dir, 'tcpstat')])
  const registry = new Registry()
  const metrics = registerSocketMetrics(registry, { query: { procNet: dir } })
  const url = await serve(t, registry)
  for (const n of [1, 2]) {
    const { status, samples } = await scrape(url)
    t.equal(status, 200, `scrape ${n} answers`)
    t.equal(value(samples, 'knetstat_listing_success'), 0)
    t.equal(value(samples, 'knetstat_listing_errors_total'), n)
    t.equal(value(samples, 'knetstat_listings_total'), n, 'each scrape lists anew')
  }
  t.match(metrics.lastError, { name: 'ReplayError', code: 'ERR_KNETSTAT_RECORDING_NOT_FILE', path: join(dir, 'tcpstat') })
})

t.test('a 50 MB single line: the scrape completes with a KnetstatParseError', { timeout: 60_000 }, async (t) => {
  const dir = join(scratch, 'long-line')
  mkdirSync(dir)
  writeFileSync(join(dir, 'tcpstat'), `${TCP_HEADER}\n${'\0'.repeat(50 * 1024 * 1024)}`)
  const registry = new Registry()
  const metrics = registerSocketMetrics(registry, { query: { procNet: dir } })
  const { status, samples } = await scrape(await serve(t, registry))
  t.equal(status, 200)
  t.equal(value(samples, 'knetstat_listing_success'), 0)
  t.match(metrics.lastError, { name: 'KnetstatParseError', line: 2, message: /line longer than 16384 characters/ })
  t.ok((metrics.lastError?.message.length ?? Infinity) < 400, 'the kept error is short')
})

t.test('a listing that never ends is cut at timeoutMs, and the next scrape lists again', { timeout: 60_000 }, async (t) => {
  const signals: AbortSignal[] = []
  let hang = true
  const registry = new Registry()
  const metrics = registerSocketMetrics(registry, {
    query: { procNet: FIXTURES },
    timeoutMs: 50,
    // Ignores its signal on purpose: the collector must not wait for it anyway.
    list: (q: ListQuery): Promise<SocketEntry[]> => {
      if (q.signal !== undefined) signals.push(q.signal)
      return hang ? new Promise<never>(() => undefined) : Promise.resolve([])
    },
  })
  const url = await serve(t, registry)
  const first = await scrape(url)
  t.equal(first.status, 200, 'the scrape answers')
  t.equal(value(first.samples, 'knetstat_listing_success'), 0)
  t.match(metrics.lastError, { code: 'ETIMEDOUT', message: /took longer than 50 ms \(timeoutMs\)/ })
  t.equal(signals.length, 1)
  t.equal(signals[0]?.aborted, true, "the listing's signal was aborted")
  hang = false
  const second = await scrape(url)
  t.equal(value(second.samples, 'knetstat_listing_success'), 1, 'the next scrape is not stuck behind the hung listing')
  t.equal(value(second.samples, 'knetstat_listings_total'), 2)
  t.equal(metrics.lastError, null)
})

t.test("the query's own signal still aborts the listing", async (t) => {
  const registry = new Registry()
  const controller = new AbortController()
  const metrics = registerSocketMetrics(registry, { query: { procNet: FIXTURES, signal: controller.signal } })
  controller.abort(new Error('shutting down'))
  await metrics.update()
  t.match(metrics.lastError, { message: 'shutting down' })
  t.throws(() => registerSocketMetrics(new Registry(), { timeoutMs: 0 }), { name: 'TypeError', message: /timeoutMs must be a positive integer/ })
})

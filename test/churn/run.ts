// The churn run of test/churn: listings in a loop, each kind in turn, while the
// generator opens and closes connections; every result checked (no inode twice, no
// cookie twice, every entry well-formed) and raw dumps counted beside them.
import { listSockets, streamSockets, type ListQuery, type SocketEntry } from '../../src/index.js'
import { dumpCounters } from '../../src/sources/netlink/index.js'
import { startChurn, type ChurnPlan } from './generator.js'
import { countRawDump } from './raw.js'
import { validateEntry } from './validate.js'

/** The listings of the loop, in turn. */
export const KINDS: { name: string; query: ListQuery; stream?: true }[] = [
  { name: 'listSockets({})', query: {} },
  { name: 'listSockets({ tcpInfo: true, options: false })', query: { tcpInfo: true, options: false } },
  { name: 'listSockets({ processes: true, options: false })', query: { processes: true, options: false } },
  { name: "listSockets({ options: 'pidfd' })", query: { options: 'pidfd' } },
  { name: "streamSockets({ options: 'bpf' })", query: { options: 'bpf' }, stream: true },
  { name: 'streamSockets({})', query: {}, stream: true },
  { name: 'streamSockets({ tcpInfo: false, options: false })', query: { tcpInfo: false, options: false }, stream: true },
  { name: 'listSockets({ tcpInfo: false, options: false })', query: { tcpInfo: false, options: false } },
]

export interface KindReport {
  runs: number
  entries: number
  /** The most entries one listing of this kind returned. */
  largest: number
  slowestMs: number
}

export interface ChurnReport {
  seconds: number
  plan: ChurnPlan
  /** Connections the churners opened (connect + accept), a second, over their run. */
  connectionRate: number
  udpRate: number
  connections: number
  connectFailures: number
  closes: Record<string, number>
  kinds: Record<string, KindReport>
  listings: number
  /** Listings that rejected, with why (none is expected). */
  rejections: string[]
  /** Results holding an inode or a cookie twice, and malformed entries (first few). */
  duplicateInodes: number
  duplicateCookies: number
  malformed: number
  problems: string[]
  /** Repeats the library dropped during the run (dumpCounters.duplicates). */
  droppedRepeats: number
  /** Dumps the kernel flagged NLM_F_DUMP_INTR, and listings read again for it. */
  interruptedDumps: number
  listRetries: number
  /** Raw dumps (no de-duplication) taken between listings, and what they repeated. */
  raw: { dumps: number; records: number; duplicateCookies: number; duplicateInodes: number; dumpsWithRepeats: number; interrupted: number }
}

const MAX_PROBLEMS = 20

/** Checks one result: every entry well-formed, no inode or cookie twice. */
function check(report: ChurnReport, kind: string, query: ListQuery, entries: SocketEntry[]): void {
  const inodes = new Set<number>()
  const cookies = new Set<string>()
  const note = (problem: string): void => {
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(`${kind}: ${problem}`)
  }
  for (const entry of entries) {
    const problems = validateEntry(entry, query)
    if (problems.length > 0) {
      report.malformed++
      note(`${JSON.stringify({ proto: entry.proto, family: entry.family, state: entry.state, local: entry.local })}: ${problems.join('; ')}`)
    }
    if (entry.inode !== null && entry.inode !== 0) {
      if (inodes.has(entry.inode)) {
        report.duplicateInodes++
        note(`inode ${entry.inode} twice`)
      }
      inodes.add(entry.inode)
    }
    const cookie = entry.netlink?.cookie
    if (cookie !== undefined) {
      if (cookies.has(cookie)) {
        report.duplicateCookies++
        note(`cookie ${cookie} twice (${entry.proto}${entry.family} ${entry.state})`)
      }
      cookies.add(cookie)
    }
  }
}

async function collect(iterable: AsyncIterable<SocketEntry>): Promise<SocketEntry[]> {
  const out: SocketEntry[] = []
  for await (const entry of iterable) out.push(entry)
  return out
}

/** Runs the generator of `plan` and the listing loop for `seconds`; stops every process before it returns or throws. */
export async function runChurn(plan: ChurnPlan, seconds: number, options: { rawEvery?: number; onChurn?: (stop: () => Promise<void>) => void } = {}): Promise<ChurnReport> {
  const rawEvery = options.rawEvery ?? 3
  const churn = await startChurn(plan)
  options.onChurn?.(() => churn.stop())
  const before = { ...dumpCounters }
  const report: ChurnReport = {
    seconds,
    plan,
    connectionRate: 0,
    udpRate: 0,
    connections: 0,
    connectFailures: 0,
    closes: {},
    kinds: {},
    listings: 0,
    rejections: [],
    duplicateInodes: 0,
    duplicateCookies: 0,
    malformed: 0,
    problems: [],
    droppedRepeats: 0,
    interruptedDumps: 0,
    listRetries: 0,
    raw: { dumps: 0, records: 0, duplicateCookies: 0, duplicateInodes: 0, dumpsWithRepeats: 0, interrupted: 0 },
  }
  try {
    const deadline = performance.now() + seconds * 1000
    // Every kind at least once, however short the run.
    for (let i = 0; performance.now() < deadline || i < KINDS.length; i++) {
      const kind = KINDS[i % KINDS.length] as (typeof KINDS)[number]
      const started = performance.now()
      try {
        const entries = kind.stream === true ? await collect(streamSockets(kind.query)) : await listSockets(kind.query)
        const ms = performance.now() - started
        const k = (report.kinds[kind.name] ??= { runs: 0, entries: 0, largest: 0, slowestMs: 0 })
        k.runs++
        k.entries += entries.length
        k.largest = Math.max(k.largest, entries.length)
        k.slowestMs = Math.max(k.slowestMs, ms)
        report.listings++
        check(report, kind.name, kind.query, entries)
      } catch (error) {
        const e = error as { code?: string; message?: string }
        report.rejections.push(`${kind.name}: ${e.code ?? ''} ${e.message ?? String(error)}`)
      }
      if (rawEvery > 0 && i % rawEvery === rawEvery - 1) {
        const raw = await countRawDump()
        report.raw.dumps++
        report.raw.records += raw.records
        report.raw.duplicateCookies += raw.duplicateCookies
        report.raw.duplicateInodes += raw.duplicateInodes
        if (raw.duplicateCookies > 0) report.raw.dumpsWithRepeats++
        if (raw.interrupted) report.raw.interrupted++
      }
    }
  } finally {
    const totals = churn.totals()
    await churn.stop()
    report.connections = totals.opened
    report.connectFailures = totals.failed
    report.closes = totals.closes
    report.connectionRate = totals.seconds > 0 ? totals.opened / totals.seconds : 0
    report.udpRate = totals.seconds > 0 ? totals.udp / totals.seconds : 0
    report.droppedRepeats = dumpCounters.duplicates - before.duplicates
    report.interruptedDumps = dumpCounters.interrupted - before.interrupted
    report.listRetries = dumpCounters.listRetries - before.listRetries
  }
  return report
}

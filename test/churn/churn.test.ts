// Issue 9: while thousands of connections a second open and close, listings in a
// loop never crash, never return one inode (or cookie) twice in a result, and every
// entry is well-formed. The generator (churn.py) runs in child processes on loopback:
// holders keep a base population of established connections so every dump spans
// many recvmsg batches, churners open and close connections (TIME_WAIT on either
// side, RST through SO_LINGER 0) and UDP sockets.
//
// KNETSTAT_CHURN_SECONDS (default 30): how long the loop runs.
// KNETSTAT_CHURN_MIN_RATE (default 1000): connections a second the churners must
// reach for the run to count; a host that cannot may lower it, and says so.
//
// This runs in the host's network namespace, whose TCP hash table is large (262,144
// buckets here): the kernel repeating a socket within a dump is then rare, and the
// raw dumps counted beside the listings usually show none. small-table.test.ts runs
// the same loop where repeats are common and shows the library removes them.
import t from 'tap'
import { KINDS, runChurn } from './run.js'

const SECONDS = Number(process.env.KNETSTAT_CHURN_SECONDS ?? 30)
const MIN_RATE = Number(process.env.KNETSTAT_CHURN_MIN_RATE ?? 1000)

let stop: (() => Promise<void>) | null = null
t.teardown(async () => {
  await stop?.()
})

const report = await runChurn(
  // 2 holders x 3,000 pairs (6,000 fds each) + 2 churners aiming at 2,500 connections a second each.
  { holders: 2, pairsPerHolder: 3000, udpPerHolder: 500, churners: 2, ratePerChurner: 2500 },
  SECONDS,
  { onChurn: (s) => (stop = s) },
)
t.comment(JSON.stringify(report, null, 1))

t.equal(report.rejections.length, 0, 'no listing rejected', { rejections: report.rejections })
t.ok(report.listings >= KINDS.length, `listings ran (${report.listings})`)
for (const [kind, k] of Object.entries(report.kinds)) t.ok(k.runs > 0 && k.largest > 6000, `${kind}: ${k.runs} runs, up to ${k.largest} entries (${k.slowestMs.toFixed(0)} ms at most)`)
t.equal(report.duplicateInodes, 0, 'no inode twice in a result', { problems: report.problems })
t.equal(report.duplicateCookies, 0, 'no cookie twice in a result', { problems: report.problems })
t.equal(report.malformed, 0, 'every entry well-formed', { problems: report.problems })
t.ok(report.connectionRate >= MIN_RATE, `${report.connectionRate.toFixed(0)} connections a second (at least ${MIN_RATE})`)
// inet_diag never flags a dump NLM_F_DUMP_INTR (docs/native.md, "Consistency under churn").
t.equal(report.interruptedDumps, 0, 'no dump flagged NLM_F_DUMP_INTR')
t.comment(
  `raw dumps: ${report.raw.dumps}, ${report.raw.duplicateCookies} repeated sockets in ${report.raw.dumpsWithRepeats} of them; ` +
    `the library dropped ${report.droppedRepeats} repeats across its ${report.listings} listings`,
)

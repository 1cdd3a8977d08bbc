// Repeats that do happen: the same churn as churn.test.ts in a network namespace of
// its own whose TCP hash table has 128 buckets (net.ipv4.tcp_child_ehash_entries,
// Linux 6.1+) and UDP table 256 slots, so each bucket holds many sockets and a
// dump's resume point (a bucket and a position in it) moves whenever one of them
// comes or goes between two recvmsg calls. Raw dumps repeat sockets there (counted
// without the library), and the listings of the same run must not: this is the
// test that fails when the de-duplication is removed.
//
// Needs root (unshare -n and the sysctl); skipped otherwise.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { ChurnReport } from './run.js'

// 10 to 15 s, whatever KNETSTAT_CHURN_SECONDS says: in 10 s runs here, 13 to 18 of 17 to 27 raw dumps repeated sockets.
const SECONDS = Math.min(Math.max(Number(process.env.KNETSTAT_CHURN_SECONDS ?? 30), 10), 15)
const CHILD = fileURLToPath(new URL('./small-table-child.ts', import.meta.url))
// The TypeScript loader tap runs this file with, so the child can run a .ts file too.
const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript') || arg.includes('tsx') || arg.includes('ts-node'))

const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'sysctl -qw net.ipv4.tcp_child_ehash_entries=128'], { encoding: 'utf8' })
if (probe.status !== 0) {
  t.plan(0, `needs root, unshare and net.ipv4.tcp_child_ehash_entries (Linux 6.1+): ${probe.stderr.trim() || probe.error?.message}`)
} else {
  const script = [
    'set -e',
    'ip link set lo up',
    // Set in the outer namespace: the inner one is created with these table sizes.
    'sysctl -qw net.ipv4.tcp_child_ehash_entries=128 net.ipv4.udp_child_hash_entries=256',
    `exec unshare -n sh -c 'ip link set lo up; exec "$0" "$@"' "$0" "$@"`,
  ].join('\n')
  const child = spawn('unshare', ['-n', 'sh', '-c', script, process.execPath, ...loader, CHILD, String(SECONDS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  })
  t.teardown(() => {
    try {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Gone already.
    }
  })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  t.equal(code, 0, 'the run in its own namespace finished')
  const last = out.trim().split('\n').pop() ?? ''
  const report = (last.startsWith('{') ? JSON.parse(last) : { raw: {} }) as ChurnReport
  t.comment(JSON.stringify(report, null, 1))
  t.ok(report.raw.duplicateCookies > 0, `raw dumps repeat sockets here: ${report.raw.duplicateCookies} repeats in ${report.raw.dumpsWithRepeats} of ${report.raw.dumps} dumps`)
  t.ok(report.droppedRepeats > 0, `the library met repeats in its own dumps and dropped them: ${report.droppedRepeats}`)
  t.equal(report.rejections.length, 0, 'no listing rejected', { rejections: report.rejections })
  t.equal(report.duplicateCookies, 0, 'no cookie twice in a result', { problems: report.problems })
  t.equal(report.duplicateInodes, 0, 'no inode twice in a result', { problems: report.problems })
  t.equal(report.malformed, 0, 'every entry well-formed', { problems: report.problems })
  t.equal(report.interruptedDumps + report.raw.interrupted, 0, 'and the kernel flagged none of them NLM_F_DUMP_INTR')
}

// The knetstat command run as a process against real sockets: text, JSON, filters,
// exit codes, colour and NO_COLOR, check, record and --proc-net replay.
// Runs the built command (dist/, built by `npm test`'s pretest).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { knetstat, MAIN } from '../helpers/cli.js'
import { TEXT_FIXTURES as FIXTURES } from '../helpers/knetstat-text.js'
import { openZoo, zooSocket } from '../helpers/socket-zoo.js'

/** Runs the command on a pseudo-terminal (util-linux `script`), returning the raw bytes it wrote. */
function onTerminal(args: string[], env: Record<string, string> = {}): string {
  const command = [process.execPath, MAIN, ...args].map((a) => `'${a}'`).join(' ')
  // Without FORCE_COLOR, which the test runner may set (to 0): colour by the terminal alone.
  const { FORCE_COLOR: _ignored, ...inherited } = process.env
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...inherited, TERM: 'xterm', NO_COLOR: '', ...env } })
  return r.stdout
}

const zoo = await openZoo()
t.teardown(() => zoo.close())
const sock = (label: string) => zooSocket(zoo.info, label)
const listenPort = sock('tcp4.listen').local[1]
const sendqPort = sock('tcp4.sendq.listen').local[1]

t.test('default output: the four tables in knetstat text, options included', async (t) => {
  const r = knetstat([])
  t.equal(r.status, 0)
  t.equal(r.stdout.match(/^Recv-Q Send-Q Local Address/gm)?.length, 4, 'four headers')
  t.match(r.stdout, new RegExp(`^ +0 +0 127\\.0\\.0\\.1:${listenPort} +0\\.0\\.0\\.0:\\* +LSTN {6}SO_REUSEADDR=1,`, 'm'), 'the zoo listener with its options')
  t.match(r.stdout, new RegExp(`127\\.0\\.0\\.1:${sock('udp4.bound').local[1]} +0\\.0\\.0\\.0:\\* +SO_REUSEADDR=0`), 'a UDP line')
})

t.test('filters: -t -u -4 -6 -l --state --port', async (t) => {
  const tcp6 = knetstat(['-t6'])
  t.equal(tcp6.stdout.match(/^Recv-Q/gm)?.length, 1, '-t6: one table')
  t.match(tcp6.stdout, new RegExp(`::1:${sock('tcp6.listen').local[1]} `))
  t.notMatch(tcp6.stdout, / 127\.0\.0\.1:/, 'no IPv4 table')
  const udp = knetstat(['-u', '--port', String(sock('udp4.bound').local[1])])
  t.equal(udp.stdout.match(/^Recv-Q/gm)?.length, 2, '-u: the two UDP tables')
  t.equal(udp.stdout.trim().split('\n').length, 4, 'two headers, the bound socket and its connected peer')
  const listening = knetstat(['-tl', '--port', String(listenPort)])
  t.equal(listening.stdout.trim().split('\n').filter((l) => !l.startsWith('Recv-Q')).length, 1, '-l: only the listener')
  const states = knetstat(['-t', '--state', 'fin-wait2,CLOSE_WAIT', '--port', String(sock('tcp4.half.listen').local[1])])
  t.match(states.stdout, / FNW2 /)
  t.match(states.stdout, / CLSW /)
  t.notMatch(states.stdout, / LSTN /)
  const range = knetstat(['-t4', '--port', `${listenPort}-${listenPort}`, '--no-options'])
  t.match(range.stdout, new RegExp(`127\\.0\\.0\\.1:${listenPort} +0\\.0\\.0\\.0:\\* +LSTN\\n`), '--no-options: lines end after the state')
})

t.test('-p and -e', async (t) => {
  const r = knetstat(['-tpe', '--port', String(listenPort)])
  t.match(r.stdout, new RegExp(`LSTN .* users:\\(\\("python3",pid=${zoo.info.pid},fd=\\d+\\)\\)`), '-p names the holder')
  t.match(r.stdout, / ESTB .* rtt:[0-9.]+\/[0-9.]+ .*cwnd:\d+/, '-e appends tcp_info')
})

t.test('--json and --ndjson', async (t) => {
  const r = knetstat(['--json', '--port', String(listenPort)])
  t.equal(r.status, 0)
  const entries = JSON.parse(r.stdout) as { state: string; local: { port: number }; tcpInfo?: unknown; inode: number }[]
  t.ok(Array.isArray(entries), 'one JSON array')
  t.ok(entries.some((e) => e.state === 'LISTEN' && e.local.port === listenPort && e.inode === sock('tcp4.listen').inode))
  t.ok(entries.every((e) => e.tcpInfo === undefined), 'no tcp_info without -e')
  const extended = JSON.parse(knetstat(['--json', '-e', '--port', String(listenPort)]).stdout) as { state: string; tcpInfo?: { rtt: number } }[]
  t.type(extended.find((e) => e.state === 'ESTABLISHED')?.tcpInfo?.rtt, 'number', 'tcp_info with -e')
  const nd = knetstat(['--ndjson', '--port', String(listenPort)])
  const lines = nd.stdout.trim().split('\n')
  t.equal(lines.length, entries.length, 'one line per socket')
  t.same(lines.map((l) => (JSON.parse(l) as { inode: number }).inode), entries.map((e) => e.inode))
})

t.test('exit codes', async (t) => {
  const usage = knetstat(['--bogus'])
  t.equal(usage.status, 2, 'usage error: 2')
  t.match(usage.stderr, /^knetstat: unknown option --bogus\nUsage: knetstat /)
  t.equal(knetstat(['-x']).status, 2, 'unknown short flag')
  t.equal(knetstat(['--state', 'OPEN']).status, 2, 'unknown state')
  t.equal(knetstat(['--port', '70000']).status, 2, 'bad port')
  t.equal(knetstat(['-l', '--state', 'LISTEN']).status, 2, '-l with --state')
  t.equal(knetstat(['--json', '--watch']).status, 2, '--watch with --json')
  const failure = knetstat(['--proc-net', '/nonexistent/recording'])
  t.equal(failure.status, 1, 'failure: 1')
  t.match(failure.stderr, /^knetstat: cannot open the recording \/nonexistent\/recording \(ENOENT\)/)
  t.equal(knetstat(['--help']).status, 0)
  t.match(knetstat(['--help']).stdout, /knetstat check/)
  t.match(knetstat(['--version']).stdout, /^knetstat \d+\.\d+\.\d+\n$/)
})

t.test('colour for diag codes on a terminal only, never with NO_COLOR', async (t) => {
  const args = ['-t4', '--port', String(sendqPort), '--no-options']
  const plain = knetstat(args)
  t.match(plain.stdout, / ESTB (>\||\|<|>\|<)$/m, 'the zero-window pair shows a diag code')
  t.notMatch(plain.stdout, /\x1b\[/, 'no escape codes into a pipe')
  const tty = onTerminal(args)
  t.match(tty, /ESTAB\x1b\[0m +\x1b\[31m(>\||\|<|>\|<)\x1b\[0m/, 'the table on a terminal: the Diag column red')
  t.match(onTerminal(['--format', 'knetstat', ...args]), /ESTB \x1b\[31m(>\||\|<|>\|<)\x1b\[0m/, 'knetstat text on a terminal: the code red')
  t.notMatch(onTerminal(args, { NO_COLOR: '1' }), /\x1b\[/, 'NO_COLOR turns it off')
})

t.test('check: pass, fail, unknown (exit 0, 1, 3)', async (t) => {
  const port = String(listenPort)
  const pass = knetstat(['check', '--port', port, '--expect', 'SO_REUSEADDR=1', '--expect-listener', 'SO_KEEPALIVE=0'])
  t.equal(pass.status, 0, pass.stdout)
  t.match(pass.stdout, new RegExp(`^knetstat check: ok: tcp service on port ${port}: 1 listener, \\d+ connections? \\(\\d+ judged\\); SO_REUSEADDR=1 on the listener, SO_KEEPALIVE=0 on the listener, accept queues not full, nothing stalled\n$`))
  const fail = knetstat(['check', '--port', port, '--expect-listener', 'TCP_NODELAY=1', '--expect-listener', 'SO_RCVTIMEO=1500ms'])
  t.equal(fail.status, 1)
  t.match(fail.stdout, /^knetstat check: FAIL: tcp service on port \d+: 2 problems; 1 listener/)
  t.match(fail.stdout, new RegExp(`\n  TCP_NODELAY=1 expected on the listener: has TCP_NODELAY=0: tcp 127\\.0\\.0\\.1:${listenPort} -> 0\\.0\\.0\\.0:\\* LISTEN\n`))
  t.match(fail.stdout, /\n  SO_RCVTIMEO=1500ms expected on the listener: SO_RCVTIMEO is not set: /)
  const stalled = knetstat(['check', '--remote-port', String(sendqPort), '--no-stalled'])
  t.equal(stalled.status, 1, 'the zero-window pair is stalled')
  t.match(stalled.stdout, /(the peer advertises|we advertise) a zero window/)
  const none = knetstat(['check', '--port', '1', '--no-stalled'])
  t.equal(none.status, 1)
  t.match(none.stdout, /^knetstat check: FAIL: tcp service on port 1: 1 problem; 0 listeners, 0 connections \(0 judged\)\n  no listener: nothing serves the tcp service on port 1\n$/)
  const unknown = knetstat(['check', '--port', '8080', '--proc-net', FIXTURES])
  t.equal(unknown.status, 3, 'a recorded listener with connections waiting and no --backlog')
  t.match(unknown.stdout, /^knetstat check: UNKNOWN: .*\n  unknown: whether the accept queue is full cannot be told: 3 waiting/)
  t.equal(knetstat(['check', '--expect', 'TCP_NODELAY=1']).status, 2, 'no target is a usage error')
  t.equal(knetstat(['check', '--port', port, '--expect', 'TCP_NODELAY=yes']).status, 2, 'a bad expectation is a usage error')
  t.equal(knetstat(['check', '--port', port, '--state', 'LISTEN']).status, 2, 'check chooses its sockets itself')
})

t.test('record, then replay with --proc-net and KNETSTAT_PROC_NET', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'knetstat-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const rec = knetstat(['record', dir])
  t.equal(rec.status, 0, rec.stderr)
  t.match(rec.stdout, /^knetstat record: wrote \d+ sockets from a listing \(netlink, options from bpf or pidfd\) to /)
  const files = ['tcpstat', 'tcp6stat', 'udpstat', 'udp6stat'].map((f) => readFileSync(join(dir, f), 'utf8'))
  const replay = knetstat(['--proc-net', dir])
  t.equal(replay.status, 0)
  t.equal(replay.stdout, files.join(''), 'prints the recording byte for byte')
  t.equal(knetstat([], { env: { KNETSTAT_PROC_NET: dir } }).stdout, files.join(''), 'the environment variable does the same')
  const fixtures = knetstat(['--proc-net', FIXTURES, '-t4', '--state', 'ESTABLISHED'])
  t.match(fixtures.stdout, / ESTB ># /, 'filters apply to a replay')
  t.notMatch(fixtures.stdout, / LSTN /)
  const check = knetstat(['check', '--proc-net', FIXTURES, '--remote-port', '443', '--no-stalled'])
  t.equal(check.status, 1, 'check on a recording with stalled connections fails')
  t.match(check.stdout, /\n  data is unacknowledged and the last ACK came more than 1 s ago \(>#\): tcp 10\.0\.0\.5:51234 -> 10\.0\.0\.9:443 ESTABLISHED\n/)
  t.equal(knetstat(['record']).status, 2, 'record needs a directory')
  t.equal(knetstat(['--proc-net', dir, '-p']).status, 2, 'a recording has no processes')
})

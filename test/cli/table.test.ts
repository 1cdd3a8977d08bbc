// The table for a person at a terminal, in a real terminal (tmux) at 80 and 200
// columns, against real sockets with real setsockopt (test/helpers/table_sockets.py):
// one protocol column, every row's columns at the same offsets, listeners' backlog,
// options as the application set them (all with -O), the process before the options,
// -e without a listener's meaningless fields, --watch within the window, colour by
// NO_COLOR, FORCE_COLOR and --color, and the listing's port and address filters.
import t from 'tap'
import { knetstat } from '../helpers/cli.js'
import { holdTableSockets } from '../helpers/table-sockets.js'
import { hasTmux, Terminal } from '../helpers/tmux.js'

if (!hasTmux()) {
  t.fail('tmux is needed for these tests (apt-get install tmux)')
  process.exit()
}

const held = await holdTableSockets()
t.teardown(() => held.close())
const { pid, ports } = held.info
const allPorts = Object.values(ports).join(',')
const ESC = /\x1b\[/

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

/** Runs `knetstat args` in a terminal of `width` columns until it exits; its screen. */
async function onScreen(t: Tap, width: number, args: string[], env: Record<string, string> = {}, escapes = false): Promise<string> {
  const term = new Terminal(width, 60, args, env)
  t.teardown(() => term.close())
  return term.finished(escapes)
}

const ROW = /^(tcp|tcp6|udp|udp6) /

/** The table's rows (lines that start with a protocol), each with the lines under it joined by \n. */
function rows(screen: string): string[] {
  const out: string[] = []
  for (const line of screen.split('\n')) {
    if (ROW.test(line)) out.push(line)
    else if (out.length > 0 && line.startsWith(' ')) out[out.length - 1] += `\n${line}`
  }
  return out
}

/** The row of the socket whose local and peer endpoints match. */
function rowOf(screen: string, local: string, peer: string): string {
  const found = rows(screen).filter((r) => {
    const fields = (r.split('\n')[0] as string).split(/ +/)
    return fields[3] === local && fields[4] === peer
  })
  if (found.length !== 1) throw new Error(`${found.length} rows for ${local} ${peer} in:\n${screen}`)
  return found[0] as string
}

/**
 * Every row's columns start where the header's do: left-aligned cells at the header
 * word's first column, right-aligned numbers ending at its last.
 */
function assertAligned(t: Tap, screen: string, left: string[], right: string[], mayBeEmpty: string[] = []): void {
  const header = screen.split('\n').find((l) => l.startsWith('Proto ')) as string
  t.ok(header, 'a header line')
  const lines = rows(screen).map((r) => r.split('\n')[0] as string)
  t.ok(lines.length >= 9, `${lines.length} rows`)
  for (const name of left) {
    const at = header.indexOf(name)
    t.ok(at > 0, `the header has ${name}`)
    const misaligned = lines.filter((l) => l[at - 1] !== ' ' || l[at] === ' ' || l[at] === undefined)
    t.same(misaligned, [], `every row's ${name} starts at column ${at}`)
  }
  // A row may have no holder or no options: nothing of another column reaches into them.
  for (const name of mayBeEmpty) {
    const at = header.indexOf(name)
    t.ok(at > 0, `the header has ${name}`)
    const misaligned = lines.filter((l) => l.length >= at && l[at - 1] !== ' ')
    t.same(misaligned, [], `no row's text runs into column ${at}, where ${name} starts`)
    t.ok(lines.some((l) => l.length > at && l[at] !== ' '), `some row has a ${name}`)
  }
  for (const name of right) {
    const end = header.indexOf(name) + name.length
    const misaligned = lines.filter((l) => !/[0-9-]/.test(l[end - 1] ?? '') || l[end] !== ' ')
    t.same(misaligned, [], `every row's ${name} ends at column ${end}`)
  }
}

t.test('200 columns: one table with a protocol column, aligned, backlog, options as set, process before options', async (t) => {
  const screen = await onScreen(t, 200, ['-p', '--port', allPorts])
  const header = screen.split('\n')[0] as string
  t.match(header, /^Proto +Recv-Q Send-Q Local Address:Port +Peer Address:Port +State +Process +Options$/, 'one header, the process before the options')
  t.equal(screen.match(/^Proto /gm)?.length, 1, 'one table, not four')
  t.same([...new Set(rows(screen).map((r) => r.split(' ')[0]))], ['tcp', 'tcp6', 'udp', 'udp6'], 'protocols as netstat names them, in its order')
  assertAligned(t, screen, ['Local Address:Port', 'Peer Address:Port', 'State'], ['Recv-Q', 'Send-Q'], ['Process', 'Options'])

  const listener = rowOf(screen, `127.0.0.1:${ports.listen4}`, '0.0.0.0:*')
  t.match(listener, new RegExp(`^tcp +1 +7 127\\.0\\.0\\.1:${ports.listen4} +0\\.0\\.0\\.0:\\* +LISTEN +${pid}/python3 +SO_REUSEADDR=1,TCP_NODELAY=1$`), 'a listener: Recv-Q the accept queue (1 waiting), Send-Q its backlog (7); the options it set, no more')
  t.notMatch(listener, /=0\b/, 'no option at its default (SO_KEEPALIVE=0, SO_MARK=0, ...)')
  t.match(rowOf(screen, `[::]:${ports.listen6}`, '[::]:*'), /^tcp6 +0 +5 /, 'the IPv6 listener: backlog 5')
  t.match(rowOf(screen, `127.0.0.1:${ports.client4}`, `127.0.0.1:${ports.listen4}`), new RegExp(`ESTAB +${pid}/python3 +SO_KEEPALIVE=1,TCP_KEEPIDLE=77$`), 'the client: keepalive as set')
  t.match(rowOf(screen, `127.0.0.1:${ports.udp4}`, '0.0.0.0:*'), /^udp +0 +0 .* UNCONN +\d+\/python3 +SO_BROADCAST=1$/, 'UDP: UNCONN, SO_BROADCAST as set')
  t.match(screen, /^tcp6 +0 +0 \[::ffff:127\.0\.0\.1\]:\d+ +\[::ffff:127\.0\.0\.1\]:\d+ +ESTAB /m, 'the long v4-mapped addresses, in brackets as ss writes them')
  t.notMatch(screen, ESC, 'NO_COLOR unset, FORCE_COLOR unset: colour is on, but capture-pane without -e shows none')
})

t.test('80 columns: the fixed columns fit, the process and options go under the row', async (t) => {
  const screen = await onScreen(t, 80, ['-p', '--port', allPorts])
  t.match(screen.split('\n')[0], /^Proto +Recv-Q Send-Q Local Address:Port +Peer Address:Port +State$/, 'the header of the columns that fit')
  assertAligned(t, screen, ['Local Address:Port', 'Peer Address:Port', 'State'], ['Recv-Q', 'Send-Q'])
  const long = screen.split('\n').filter((l) => l.length > 80)
  t.same(long, [], 'no line wider than the terminal (lines joined where it wrapped them)')
  const listener = rowOf(screen, `127.0.0.1:${ports.listen4}`, '0.0.0.0:*')
  t.match(listener, new RegExp(`^tcp +1 +7 .* LISTEN\\n {8}${pid}/python3  SO_REUSEADDR=1,TCP_NODELAY=1$`), 'the holder and the options on the line under the row')
})

t.test('-O: every option the source reported', async (t) => {
  const screen = await onScreen(t, 200, ['-O', '--port', String(ports.listen4)])
  const listener = rowOf(screen, `127.0.0.1:${ports.listen4}`, '0.0.0.0:*')
  t.match(listener, /SO_REUSEADDR=1,SO_REUSEPORT=0,SO_KEEPALIVE=0,/, 'defaults too, in the knetstat order')
  t.match(listener, /TCP_NODELAY=1/)
})

t.test('-e: tcp_info for connections, nothing a listener cannot have', async (t) => {
  const screen = await onScreen(t, 200, ['-te', '--port', String(ports.listen4)])
  const listener = rowOf(screen, `127.0.0.1:${ports.listen4}`, '0.0.0.0:*').split('\n')
  t.ok(listener.length <= 2, 'at most one line under a listener')
  t.notMatch(listener.slice(1).join('\n'), /rtt:|cwnd:|retrans:|lastack:|rcv_wnd:/, 'no round trip, window or retransmits on a listener')
  const client = rowOf(screen, `127.0.0.1:${ports.client4}`, `127.0.0.1:${ports.listen4}`)
  t.match(client, /\n {8}\S* ?rtt:[0-9.]+\/[0-9.]+ rto:\d+ cwnd:\d+/, 'a connection: rtt, rto, cwnd under its row')
})

t.test('--watch at 80 columns: the title stays on top, no line wider than the window', async (t) => {
  const term = new Terminal(80, 20, ['--watch', '0.3', '-pe', '--port', allPorts])
  t.teardown(() => term.close())
  const first = await term.waitFor('a frame', (s) => s.startsWith('knetstat --watch 0.3s'))
  const title = (first.split('\n')[0] as string).replace(/ {2}\+.*/, '')
  const later = await term.waitFor('a later frame', (s) => !s.startsWith(title) && s.startsWith('knetstat --watch 0.3s'))
  for (const screen of [first, later]) {
    const lines = screen.replace(/\n+$/, '').split('\n')
    t.match(lines[0], /^knetstat --watch 0\.3s .* \+\d+ new {2}-\d+ gone {2}~\d+ changed$/, 'the title line first')
    t.match(lines[1], /^ {2}Proto +Recv-Q Send-Q Local Address:Port/, 'then the header, after the marks column')
    t.ok(lines.length <= 20, `${lines.length} lines in a window of 20`)
    t.same(lines.filter((l) => l.length > 80), [], 'every line within 80 columns')
    t.match(lines[lines.length - 1], /^… \d+ more lines/, 'what did not fit is counted')
  }
  t.match(later, /^[ ~] tcp +1 +7 127\.0\.0\.1:\d+ +0\.0\.0\.0:\* +LISTEN$/m, 'the listener row, marked or not')
})

t.test('colour: auto on a terminal, NO_COLOR, FORCE_COLOR, --color', async (t) => {
  const args = ['-t', '--port', String(ports.listen4)]
  const auto = await onScreen(t, 200, args, {}, true)
  t.match(auto, /\x1b\[1mProto/, 'a terminal: bold headers')
  t.match(auto, /\x1b\[36mLISTEN/, 'states coloured')
  t.notMatch(await onScreen(t, 200, args, { NO_COLOR: '1' }, true), ESC, 'NO_COLOR: none')
  t.match(await onScreen(t, 200, [...args, '--color=always'], { NO_COLOR: '1' }, true), ESC, '--color=always beats NO_COLOR')
  t.notMatch(await onScreen(t, 200, [...args, '--color', 'never'], {}, true), ESC, '--color never: none')
  t.notMatch(await onScreen(t, 200, args, { FORCE_COLOR: '0' }, true), ESC, 'FORCE_COLOR=0: none')
  const piped = knetstat(['--format', 'table', ...args], { env: { FORCE_COLOR: '1' } })
  t.match(piped.stdout, /\x1b\[1mProto/, 'FORCE_COLOR=1: colour into a pipe')
  t.notMatch(knetstat(['--format', 'table', ...args]).stdout, ESC, 'a pipe: none')
})

t.test('--format knetstat on a terminal: the module text, as in a pipe', async (t) => {
  const screen = await onScreen(t, 200, ['--format', 'knetstat', '-t4', '--port', String(ports.listen4)], { NO_COLOR: '1' })
  t.match(screen, /^Recv-Q Send-Q Local Address {11}Foreign Address {9}Stat Diag Options\n/, 'the knetstat header')
  t.match(screen, new RegExp(`^ +1 +0 127\\.0\\.0\\.1:${ports.listen4} +0\\.0\\.0\\.0:\\* +LSTN {6}SO_REUSEADDR=1,SO_REUSEPORT=0,`, 'm'), 'the module line, every option')
})

t.test('filters: --sport, --dport, --src, --dst, --address, through the library query', async (t) => {
  const L = String(ports.listen4)
  const locals = (args: string[]): string[] =>
    knetstat(['-t', '--no-options', ...args]).stdout.split('\n').filter((l) => /^ +\d/.test(l)).map((l) => l.trim().split(/ +/).slice(2, 4).join(' '))
  const sport = locals(['--sport', L])
  t.ok(sport.length >= 3, `${sport.length} sockets on local port ${L}`)
  t.ok(sport.every((l) => l.startsWith(`127.0.0.1:${L} `)), '--sport: local port only')
  const dport = locals(['--dport', L])
  t.ok(dport.length >= 2 && dport.every((l) => l.endsWith(`127.0.0.1:${L}`)), '--dport: remote port only')
  t.same(locals(['--local-port', L]), sport, '--local-port is --sport')
  t.same(locals(['--remote-port', L]), dport, '--remote-port is --dport')
  t.same(locals(['--sport', L, '--src', '127.0.0.0/8']), sport, '--src takes a network')
  t.same(locals(['--sport', L, '--src', '10.0.0.1']), [], '--src: another address matches nothing')
  t.same(locals(['--dport', L, '--dst', '127.0.0.1']), dport, '--dst')
  t.ok(locals(['--address', '::ffff:127.0.0.1', '--port', String(ports.listen6)]).length >= 1, '--address: local or remote')
  for (const bad of [['--sport', 'x'], ['--src', '300.1.1.1'], ['--dst', ''], ['--format', 'xml'], ['--color', 'sometimes'], ['--format', 'table', '--json'], ['check', '--sport', L]]) {
    const r = knetstat(bad)
    t.equal(r.status, 2, `${bad.join(' ')}: a usage error`)
    t.match(r.stderr, /\nUsage: knetstat /)
  }
})

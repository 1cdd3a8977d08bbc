// The table's rules, each on its own: when there is colour, which options show as
// set, when progress shows and that it is erased, and how rows are laid out.
import t from 'tap'
import { wantsColor } from '../../src/cli/color.js'
import { PROGRESS_DELAY_MS, PROGRESS_INTERVAL_MS, withProgress, type ProgressClock } from '../../src/cli/progress.js'
import { shownOptions } from '../../src/cli/shown-options.js'
import { renderTable, type TableLayout } from '../../src/cli/table.js'
import { tableColumns } from '../../src/cli/columns.js'
import { tcpInfoFields } from '../../src/cli/tcp-info.js'
import type { SocketEntry } from '../../src/model.js'

function entry(fields: Partial<SocketEntry>): SocketEntry {
  return {
    proto: 'tcp',
    family: 4,
    state: 'ESTABLISHED',
    recvQ: 0,
    sendQ: 0,
    local: { address: '127.0.0.1', port: 8080 },
    remote: { address: '127.0.0.1', port: 41234 },
    uid: 0,
    inode: 1,
    diag: { sendWindowZero: false, receiveWindowZero: false, ackStalled: false },
    options: null,
    optionsSource: null,
    ...fields,
  }
}

t.test('colour: --color decides, then FORCE_COLOR, then NO_COLOR, then the terminal', async (t) => {
  t.equal(wantsColor('auto', {}, true), true, 'a terminal')
  t.equal(wantsColor('auto', {}, false), false, 'a pipe')
  t.equal(wantsColor('auto', { NO_COLOR: '1' }, true), false, 'NO_COLOR')
  t.equal(wantsColor('auto', { NO_COLOR: '' }, true), true, 'NO_COLOR empty is not set (no-color.org)')
  t.equal(wantsColor('auto', { FORCE_COLOR: '1' }, false), true, 'FORCE_COLOR into a pipe')
  t.equal(wantsColor('auto', { FORCE_COLOR: '0' }, true), false, 'FORCE_COLOR=0')
  t.equal(wantsColor('auto', { FORCE_COLOR: '1', NO_COLOR: '1' }, true), true, 'FORCE_COLOR over NO_COLOR')
  t.equal(wantsColor('always', { NO_COLOR: '1' }, false), true, '--color always')
  t.equal(wantsColor('never', { FORCE_COLOR: '1' }, true), false, '--color never')
})

t.test('options as set: present "when set" options, and the others when on or not 0', async (t) => {
  const e = entry({
    options: { SO_REUSEADDR: true, SO_REUSEPORT: false, SO_KEEPALIVE: true, TCP_KEEPIDLE: 60, TCP_NODELAY: false, TCP_DEFER_ACCEPT: 0, SO_MARK: 0, SO_PRIORITY: 3, IP_TOS: 0, TCP_CONGESTION: 'cubic', TCP_USER_TIMEOUT: 0 },
    otherOptions: { SO_FUTURE: '1' },
  })
  t.same(shownOptions(e, { all: false, congestionDefault: 'cubic' }), ['SO_REUSEADDR=1', 'SO_KEEPALIVE=1', 'TCP_KEEPIDLE=60', 'TCP_USER_TIMEOUT=0', 'SO_PRIORITY=3'], 'the set ones, in the knetstat order')
  t.ok(shownOptions(e, { all: false, congestionDefault: 'bbr' }).includes('TCP_CONGESTION=cubic'), 'a congestion control other than the host default')
  t.ok(shownOptions(e, { all: false, congestionDefault: null }).includes('TCP_CONGESTION=cubic'), 'an unknown default: shown')
  const all = shownOptions(e, { all: true, congestionDefault: 'cubic' })
  t.same(all.slice(0, 3), ['SO_REUSEADDR=1', 'SO_REUSEPORT=0', 'SO_KEEPALIVE=1'], '-O: the defaults too')
  t.ok(all.includes('SO_MARK=0') && all.includes('SO_FUTURE=1'), "-O: the others, and a newer module's")
  t.same(shownOptions(entry({ options: null }), { all: true, congestionDefault: null }), [], 'no options read: none')
})

t.test('untrusted text in a cell is escaped: a process name cannot move the cursor', async (t) => {
  const hostile = entry({ processes: [{ pid: 7, fd: 3, command: 'x\x1b[2J\u202ey' }] })
  const { rows } = renderTable([hostile], {
    columns: tableColumns({ processes: true }),
    tailHeader: 'Options',
    tail: () => [],
    width: null,
    overflow: 'wrap',
    color: true,
  })
  const row = rows[0]?.[0] as string
  t.match(row, /7\/x\\x1b\[2J\\u\{202e\}y/, 'escaped as \\xHH and \\u{HHHH}')
  t.notMatch(row.replace(/\x1b\[(?:\d+)m/g, ''), /[\x00-\x1f\u202e]/, 'no raw control or bidi character but our own colours')
})

t.test('-e: a listener has its congestion control only', async (t) => {
  const info = { rtt: 3000, rttvar: 1000, rto: 200000, sndCwnd: 10, sndMss: 1448, sndWnd: 1, rcvWnd: 1, unacked: 0, retrans: 0, totalRetrans: 0, lastAckRecv: 5 }
  const netlink = { congestion: 'cubic' } as SocketEntry['netlink']
  const tcpInfo = info as unknown as SocketEntry['tcpInfo']
  t.same(tcpInfoFields(entry({ state: 'LISTEN', tcpInfo, netlink })), ['cubic'])
  t.same(tcpInfoFields(entry({ state: 'ESTABLISHED', tcpInfo, netlink })).slice(0, 4), ['cubic', 'rtt:3/1', 'rto:200', 'cwnd:10'])
  t.same(tcpInfoFields(entry({ state: 'TIME_WAIT', tcpInfo: null })), [], 'no tcp_info: nothing')
})

/** A clock the test turns by hand. */
function manualClock(): ProgressClock & { advance(ms: number): void } {
  let now = 0
  const ticks: (() => void)[] = []
  return {
    now: () => now,
    every(ms, tick) {
      t.equal(ms, PROGRESS_INTERVAL_MS)
      ticks.push(tick)
      return { stop: () => ticks.splice(ticks.indexOf(tick), 1) }
    },
    advance(ms) {
      for (let step = 0; step < ms; step += PROGRESS_INTERVAL_MS) {
        now += PROGRESS_INTERVAL_MS
        for (const tick of [...ticks]) tick()
      }
    },
  }
}

t.test('progress: after a moment, on a terminal only, erased when done', async (t) => {
  const written: string[] = []
  const tty = { isTTY: true, write: (s: string) => written.push(s) }
  const clock = manualClock()
  let finish: (v: number) => void = () => {}
  const done = withProgress(tty, () => new Promise<number>((resolve) => (finish = resolve)), clock)
  clock.advance(PROGRESS_DELAY_MS - PROGRESS_INTERVAL_MS)
  t.same(written, [], 'nothing before the delay: a quick listing does not flicker')
  clock.advance(1000)
  t.ok(written.length >= 1 && written.length <= 11, `${written.length} redraws in a second: at most 10 a second`)
  t.match(written[written.length - 1], /^\r\x1b\[Kreading sockets… 1\.\d s$/, 'redrawn in place')
  finish(7)
  t.equal(await done, 7, 'the listing is handed on')
  t.equal(written[written.length - 1], '\r\x1b[K', 'erased at the end')

  const piped: string[] = []
  const quiet = manualClock()
  const result = withProgress({ isTTY: false, write: (s: string) => piped.push(s) }, async () => 'x', quiet)
  quiet.advance(2000)
  t.equal(await result, 'x')
  t.same(piped, [], 'never when stderr is not a terminal')
})

t.test('layout: fitted columns, a listener\'s backlog, options wrapped under their column', async (t) => {
  const rows = [
    entry({ state: 'LISTEN', recvQ: 2, backlog: 128, remote: { address: '0.0.0.0', port: 0 }, options: { SO_REUSEADDR: true, TCP_NODELAY: true, SO_KEEPALIVE: true } }),
    entry({ family: 6, local: { address: '2001:db8:1234:5678:9abc:def0:1234:5678', port: 443 }, remote: { address: '::1', port: 50000 }, diag: { sendWindowZero: true, receiveWindowZero: false, ackStalled: false } }),
  ]
  const layout = (width: number | null, overflow: TableLayout['overflow']): TableLayout => ({
    columns: tableColumns({ processes: false }),
    tailHeader: 'Options',
    tail: (e) => shownOptions(e, { all: false, congestionDefault: null }),
    width,
    overflow,
    color: false,
  })
  const wide = renderTable(rows, layout(null, 'wrap'))
  t.match(wide.header, /^Proto Recv-Q Send-Q Local Address:Port +Peer Address:Port State +Diag Options$/)
  const [listener = '', v6 = ''] = wide.rows.map((r) => r[0] as string)
  t.match(listener, /^tcp +2 +128 127\.0\.0\.1:8080 +0\.0\.0\.0:\* +LISTEN +SO_REUSEADDR=1,SO_KEEPALIVE=1,TCP_NODELAY=1$/, 'Recv-Q the accept queue, Send-Q the backlog')
  t.match(v6, /^tcp6 +0 +0 \[2001:db8:1234:5678:9abc:def0:1234:5678\]:443 \[::1\]:50000 +ESTAB +>\|$/, 'the diag code in its column')
  for (const name of ['Peer Address:Port', 'State']) {
    const at = wide.header.indexOf(name)
    t.ok([listener, v6].every((l) => l[at - 1] === ' ' && l[at] !== ' '), `${name} at column ${at} in every row, after the long address`)
  }
  t.equal(listener.indexOf('SO_REUSEADDR'), wide.header.indexOf('Options'), 'options under their header')
  t.equal(v6.indexOf('>|'), wide.header.indexOf('Diag'))

  const narrow = renderTable(rows.slice(0, 1), layout(80, 'wrap')).rows[0] as string[]
  const optionsAt = (narrow[0] as string).indexOf('SO_REUSEADDR=1,')
  t.ok(optionsAt > 0 && narrow.length > 1, `wrapped onto ${narrow.length} lines`)
  t.ok(narrow.every((l) => l.length <= 80), 'each within 80 columns')
  t.ok(narrow.slice(1).every((l) => /^ +\S/.test(l) && l.search(/\S/) === optionsAt), 'continuations start under the options column')
  t.equal(narrow.map((l) => l.trim().split(' ').pop()).join('').replace(/^.*LISTEN/, ''), 'SO_REUSEADDR=1,SO_KEEPALIVE=1,TCP_NODELAY=1', 'every option, split at commas')
  const cut = renderTable(rows.slice(0, 1), layout(70, 'cut')).rows[0] as string[]
  t.equal(cut.length, 1)
  t.equal(cut[0]?.length, 70, 'cut at the width (--watch)')
  t.ok(cut[0]?.endsWith('…'), 'marked as cut')
  const recorded = renderTable([entry({ state: 'LISTEN', recvQ: 3, sendQ: 0 })], layout(null, 'wrap'))
  t.match(recorded.rows[0]?.[0], /^tcp +3 +- /, 'a recording carries no backlog: -, not its text\'s 0')
})

// What the command prints for a listing: the knetstat tables (the module's files,
// one after the other), each socket line optionally followed by its holders (-p)
// and tcp_info (-e), diag codes coloured on a terminal; or JSON.
import type { Family, Proto, SocketEntry } from '../model.js'
import { formatKnetstat } from '../text/format.js'
import { escapeForDisplay } from '../text/escape.js'
import { forTerminal, jsonForTerminal, quoted } from './terminal.js'

export interface RenderOptions {
  processes: boolean
  extended: boolean
  color: boolean
  /** The tables to print (those the filters select), in file order. */
  tables: readonly { proto: Proto; family: Family }[]
}

/** The table lines of every socket, keyed like the entries, with the headers between tables. */
export function renderLines(entries: readonly SocketEntry[], options: RenderOptions): { text: string; entry: SocketEntry | null }[] {
  const lines: { text: string; entry: SocketEntry | null }[] = []
  for (const { proto, family } of options.tables) {
    const table = entries.filter((e) => e.proto === proto && e.family === family)
    const text = formatKnetstat(table, { proto }).split('\n')
    lines.push({ text: text[0] as string, entry: null })
    table.forEach((entry, i) => {
      // Escaped before colour is added: the colour codes are the only ones we write.
      let line = forTerminal(text[i + 1] as string)
      if (options.color) line = colorDiag(line)
      if (options.processes) line += users(entry)
      if (options.extended) line += tcpInfoSummary(entry)
      lines.push({ text: line, entry })
    })
  }
  return lines
}

export function renderText(entries: readonly SocketEntry[], options: RenderOptions): string {
  return renderLines(entries, options)
    .map((l) => l.text + '\n')
    .join('')
}

export function renderJson(entries: readonly SocketEntry[], extended: boolean): string {
  return jsonForTerminal(JSON.stringify(entries.map((e) => forJson(e, extended)), null, 2)) + '\n'
}

export function renderNdjson(entries: readonly SocketEntry[], extended: boolean): string {
  return entries.map((e) => jsonForTerminal(JSON.stringify(forJson(e, extended))) + '\n').join('')
}

/** tcp_info only with -e: it is most of an entry's size. */
function forJson(entry: SocketEntry, extended: boolean): SocketEntry {
  if (extended || entry.tcpInfo === undefined) return entry
  const { tcpInfo: _omitted, ...rest } = entry
  return rest
}

const RED = '\x1b[31m'
const YELLOW = '\x1b[33m'
const RESET = '\x1b[0m'

/** Colours the diag code after the state code: zero windows red, a stalled ACK yellow. */
function colorDiag(line: string): string {
  return line.replace(/^(.* [A-Z]{4} )(>\|<|>\||\|<|>#)/, (_, head: string, code: string) => `${head}${code === '>#' ? YELLOW : RED}${code}${RESET}`)
}

function users(entry: SocketEntry): string {
  const holders = entry.processes ?? []
  if (holders.length === 0) return ''
  return ` users:(${holders.map((h) => `(${quoted(h.command)},pid=${h.pid},fd=${h.fd})`).join(',')})`
}

/** An ss -i style digest of tcp_info: the numbers people look at first. */
function tcpInfoSummary(entry: SocketEntry): string {
  const i = entry.tcpInfo
  if (i === undefined || i === null) return ''
  const ms = (us: number | null): string => (us === null ? '?' : (us / 1000).toFixed(3).replace(/\.?0+$/, ''))
  const parts = [
    entry.netlink?.congestion == null ? null : escapeForDisplay(entry.netlink.congestion),
    `rtt:${ms(i.rtt)}/${ms(i.rttvar)}`,
    `rto:${ms(i.rto)}`,
    i.sndCwnd === null ? null : `cwnd:${i.sndCwnd}`,
    i.sndMss === null ? null : `mss:${i.sndMss}`,
    i.sndWnd === null ? null : `snd_wnd:${i.sndWnd}`,
    i.rcvWnd === null ? null : `rcv_wnd:${i.rcvWnd}`,
    i.unacked === null ? null : `unacked:${i.unacked}`,
    i.totalRetrans === null ? null : `retrans:${i.retrans ?? 0}/${i.totalRetrans}`,
    i.lastAckRecv === null ? null : `lastack:${i.lastAckRecv}ms`,
  ]
  return ' ' + parts.filter((p) => p !== null).join(' ')
}

// What the command prints for a listing: the knetstat tables (the module's files,
// one after the other), each socket line optionally followed by its holders (-p)
// and tcp_info (-e), diag codes coloured on a terminal; or JSON.
import type { Family, Proto, SocketEntry } from '../model.js'
import { formatKnetstat } from '../text/format.js'
import { painted } from './color.js'
import { netnsLabel } from './columns.js'
import { tcpInfoFields } from './tcp-info.js'
import { forTerminal, jsonForTerminal, quoted } from './terminal.js'

export interface RenderOptions {
  processes: boolean
  /** ` netns:NAME` after each line (a listing of another namespace, or all). */
  netns?: boolean
  /** ` cgroup:PATH` after each line, as ss --cgroup writes it. */
  cgroup?: boolean
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
      if (options.netns === true) line += ` netns:${netnsLabel(entry)}`
      if (options.cgroup === true) line += ` cgroup:${entry.cgroup?.path === null || entry.cgroup === undefined ? '-' : forTerminal(entry.cgroup.path)}`
      if (options.extended) line += tcpInfoFields(entry).map((f) => ` ${f}`).join('')
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

/** Colours the diag code after the state code: zero windows red, a stalled ACK yellow. */
function colorDiag(line: string): string {
  return line.replace(/^(.* [A-Z]{4} )(>\|<|>\||\|<|>#)/, (_, head: string, code: string) => `${head}${painted(code, code === '>#' ? 'stalled' : 'zeroWindow', true)}`)
}

function users(entry: SocketEntry): string {
  const holders = entry.processes ?? []
  if (holders.length === 0) return ''
  return ` users:(${holders.map((h) => `(${quoted(h.command)},pid=${h.pid},fd=${h.fd})`).join(',')})`
}

// The table of a listing as the command prints it: which columns, which options,
// the tcp_info lines of -e, in netstat's order of tables (tcp, tcp6, udp, udp6).
import type { SocketEntry } from '../model.js'
import { tableColumns, type Column } from './columns.js'
import { shownOptions, type OptionView } from './shown-options.js'
import { renderTable, type TableLayout } from './table.js'
import { tcpInfoFields } from './tcp-info.js'

export interface TableChoice {
  processes: boolean
  /** A Netns column: the listing is of another namespace, or all. */
  netns?: boolean
  /** A Container column (--cgroup). */
  cgroup?: boolean
  extended: boolean
  options: OptionView
  color: boolean
  width: number | null
}

/** The layout of a listing's table; `lead` columns go first (--watch's marks). */
export function tableLayout(choice: TableChoice, overflow: TableLayout['overflow'], lead: readonly Column[] = []): TableLayout {
  const layout: TableLayout = {
    columns: [...lead, ...tableColumns(choice)],
    tailHeader: 'Options',
    tail: (e) => shownOptions(e, choice.options),
    width: choice.width,
    overflow,
    color: choice.color,
  }
  if (choice.extended) layout.detail = tcpInfoFields
  return layout
}

const TABLE_RANK = { tcp4: 0, tcp6: 1, udp4: 2, udp6: 3 } as const

/** netstat's order: tcp, tcp6, udp, udp6; within each, the kernel's. */
export function inTableOrder(entries: readonly SocketEntry[]): SocketEntry[] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => TABLE_RANK[`${a.e.proto}${a.e.family}`] - TABLE_RANK[`${b.e.proto}${b.e.family}`] || a.i - b.i)
    .map(({ e }) => e)
}

/** The whole table, for a listing printed once. */
export function renderTableText(entries: readonly SocketEntry[], choice: TableChoice): string {
  const { header, rows } = renderTable(inTableOrder(entries), tableLayout(choice, 'wrap'))
  return [header, ...rows.flat()].map((l) => `${l}\n`).join('')
}

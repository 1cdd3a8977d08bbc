// --watch on a terminal: the table, redrawn to fit the window. The title line stays
// on top (the frame never has more lines than the window, so nothing scrolls it
// away), every line is cut at the width, and gone sockets keep their row, marked,
// for one frame, in the same columns as the others.
import type { SocketEntry } from '../model.js'
import type { Column } from './columns.js'
import { cut, renderTable } from './table.js'
import { inTableOrder, tableLayout, type TableChoice } from './table-view.js'
import { identity, type Frame } from './watch.js'

type Mark = ' ' | '+' | '-' | '~'

export class TableFrames {
  private previous: Map<string, { entry: SocketEntry; seen: string }> | null = null

  constructor(private choice: TableChoice) {}

  /** The window's width changed (or was read for the first time). */
  resize(width: number | null): void {
    this.choice = { ...this.choice, width }
  }

  /** A frame of at most `height` lines (null: all of them), with no newline after the last. */
  next(entries: readonly SocketEntry[], title: string, height: number | null): Frame {
    const marks = new Map<SocketEntry, Mark>()
    const markColumn: Column = { header: ' ', align: 'left', cell: (e) => ({ text: marks.get(e) ?? ' ' }) }
    const layout = tableLayout(this.choice, 'cut', [markColumn])
    // What a row shows, marks aside: a socket whose row shows something else changed.
    // Not -e's tcp_info, a measurement that moves at every refresh (lastack, rtt).
    const seen = (e: SocketEntry): string => [...layout.columns.slice(1).map((c) => c.cell(e).text), ...layout.tail(e)].join('\0')
    const current = new Map<string, { entry: SocketEntry; seen: string }>()
    let added = 0
    let changed = 0
    for (const entry of entries) {
      const key = identity(entry)
      const now = { entry, seen: seen(entry) }
      current.set(key, now)
      const before = this.previous?.get(key)
      if (this.previous !== null && before === undefined) {
        marks.set(entry, '+')
        added++
      } else if (before !== undefined && before.seen !== now.seen) {
        marks.set(entry, '~')
        changed++
      }
    }
    const gone = [...(this.previous?.entries() ?? [])].filter(([key]) => !current.has(key)).map(([, { entry }]) => entry)
    for (const entry of gone) marks.set(entry, '-')
    this.previous = current

    const { header, rows } = renderTable(inTableOrder([...entries, ...gone]), layout)
    const summary = cut(`${title}  +${added} new  -${gone.length} gone  ~${changed} changed`, this.choice.width)
    let lines = [summary, header, ...rows.flat()]
    if (height !== null && lines.length > height) {
      const room = Math.max(0, height - 1)
      const more = lines.length - room
      lines = [...lines.slice(0, room), cut(`… ${more} more lines: a taller window or a filter (-t, --port, --state) shows them`, this.choice.width)]
    }
    return { text: lines.join('\n'), added, gone: gone.length, changed }
  }
}

// The table for a person at a terminal: one row per socket, fixed columns fitted to
// their widest cell (so a long IPv6 address keeps every row aligned), then the
// options, which are as long as they are: wrapped at commas under the options column,
// or (--watch, which must fit one screen) cut at the width. A row wider than the
// window moves its process column to the line under it, with the options.
import type { SocketEntry } from '../model.js'
import { painted, type Paint } from './color.js'
import type { Cell, Column } from './columns.js'
import { forTerminal } from './terminal.js'

export interface TableLayout {
  columns: readonly Column[]
  /** The header of the free-width part after the columns. */
  tailHeader: string
  /** A row's free-width part, in pieces joined by `,` (the options). */
  tail(entry: SocketEntry): string[]
  /** Lines under a row, in pieces joined by a space (-e's tcp_info). */
  detail?(entry: SocketEntry): string[]
  /** The terminal's columns; null: as long as the text is (a pipe). */
  width: number | null
  overflow: 'wrap' | 'cut'
  color: boolean
}

/** Where continuation lines start when the options column leaves less room than this. */
const MIN_TAIL_ROOM = 16
const DETAIL_INDENT = 8
const GAP = ' '

/** The header line and each row's lines, in order of `entries`. */
export function renderTable(entries: readonly SocketEntry[], layout: TableLayout): { header: string; rows: string[][] } {
  const { columns, width } = layout
  const cells = entries.map((e) => columns.map((c) => safe(c.cell(e))))
  // An optional column nobody needs is left out: its header would be the widest cell.
  const shown = columns.map((c, i) => c.optional !== true || cells.some((row) => row[i]?.text !== ''))
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] as Cell).text.length)))
  const rowWidth = (): number => columns.reduce((sum, _, i) => sum + (shown[i] ? (widths[i] as number) + GAP.length : 0), 0)
  // A row wider than the window leaves its movable columns (Process) for the line under it.
  const moved: number[] = []
  for (let i = columns.length - 1; i >= 0 && width !== null && rowWidth() - GAP.length > width; i--) {
    if (shown[i] && columns[i]?.movable === true) {
      shown[i] = false
      moved.unshift(i)
    }
  }
  const fixed = (row: Cell[]): Cell[] => {
    const out: Cell[] = []
    columns.forEach((c, i) => {
      if (!shown[i]) return
      const cell = row[i] as Cell
      const pad = ' '.repeat((widths[i] as number) - cell.text.length)
      if (c.align === 'right') out.push({ text: pad }, cell, { text: GAP })
      else out.push(cell, { text: pad + GAP })
    })
    return out
  }
  const tailStart = rowWidth()
  // Too little room right of the columns: what follows them goes on lines of its own, indented.
  const ownLines = width !== null && (moved.length > 0 || (layout.overflow === 'wrap' && width - tailStart < MIN_TAIL_ROOM))
  const tails = entries.map((e) => joined(layout.tail(e).map(forTerminal), ','))
  // Options on lines of their own need no header: each NAME=value says what it is.
  const tailHeader: Cell[] = ownLines || tails.every((t) => t.length === 0) ? [] : [{ text: layout.tailHeader, paint: 'header' }]
  const header = line([...fixed(columns.map((c) => ({ text: c.header, paint: 'header' }))), ...tailHeader], layout)
  const rows = entries.map((entry, r) => {
    const row = cells[r] as Cell[]
    const tail = tails[r] as string[]
    const under = moved.map((i) => (row[i] as Cell).text).filter((t) => t !== '')
    const lines: string[] = []
    if (ownLines) {
      lines.push(line(fixed(row), layout))
      const pieces = [...(under.length > 0 ? [under.join(' ') + (tail.length > 0 ? '  ' : '')] : []), ...tail]
      if (pieces.length > 0) lines.push(...pieceLines(pieces, DETAIL_INDENT, DETAIL_INDENT, layout))
    } else if (layout.overflow === 'wrap' && width !== null && tail.length > 0) {
      const [first, ...rest] = pieceLines(tail, tailStart, tailStart, layout)
      lines.push(line([...fixed(row), { text: (first as string).trimStart() }], layout), ...rest)
    } else lines.push(line([...fixed(row), { text: tail.join('') }], layout))
    const detail = joined(layout.detail?.(entry).map(forTerminal) ?? [], ' ')
    if (detail.length > 0) lines.push(...pieceLines(detail, DETAIL_INDENT, DETAIL_INDENT, layout))
    return lines
  })
  return { header, rows }
}

/** Every cell's text made safe for the terminal (the columns escape; this is the net under them). */
function safe(cell: Cell): Cell {
  return { ...cell, text: forTerminal(cell.text) }
}

/** Each piece but the last followed by `sep`: where a line may break. */
function joined(pieces: string[], sep: string): string[] {
  return pieces.map((p, i) => (i < pieces.length - 1 ? p + sep : p))
}

/**
 * Pieces onto lines no wider than the layout's width, the first starting at column
 * `first`, the others at `indent`; a piece longer than a line is cut, never split.
 * Cut mode (--watch) keeps to one line, cut at the width.
 */
function pieceLines(pieces: string[], first: number, indent: number, layout: TableLayout): string[] {
  const { width } = layout
  if (layout.overflow === 'cut') return [cut((' '.repeat(first) + pieces.join('')).trimEnd(), width)]
  const lines: string[] = []
  let current = ''
  let start = first
  for (const piece of pieces) {
    if (current !== '' && width !== null && start + current.length + piece.trimEnd().length > width) {
      lines.push(' '.repeat(start) + current.trimEnd())
      current = ''
      start = indent
    }
    current += piece
  }
  lines.push(' '.repeat(start) + current.trimEnd())
  return lines.map((l) => cut(l, width))
}

/** Segments as one line: trailing spaces dropped, cut at the width in cut mode, then painted. */
function line(segments: Cell[], layout: TableLayout): string {
  const limit = layout.overflow === 'cut' ? layout.width : null
  while (segments.length > 0 && (segments[segments.length - 1] as Cell).text.trim() === '') segments = segments.slice(0, -1)
  const last = segments[segments.length - 1]
  if (last !== undefined) segments = [...segments.slice(0, -1), { ...last, text: last.text.trimEnd() }]
  let out = ''
  let used = 0
  for (const s of segments) {
    let text = s.text
    if (limit !== null && used + text.length > limit) text = text.slice(0, Math.max(0, limit - used - 1)) + '…'
    out += painted(text, s.paint, layout.color)
    used += text.length
    if (limit !== null && used >= limit) break
  }
  return out
}

/** A line of plain text no wider than `width` (null: as is). */
export function cut(text: string, width: number | null): string {
  return width === null || text.length <= width ? text : `${text.slice(0, width - 1)}…`
}

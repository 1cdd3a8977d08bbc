// --watch: list again every few seconds and redraw, marking what changed since the
// previous listing: `+` new sockets, `-` gone ones (shown once), `~` changed lines.
// This file makes the frames of knetstat text; watch-table.ts those of the table.
import type { SocketEntry } from '../model.js'
import { renderLines, type RenderOptions } from './render.js'

export interface Frame {
  text: string
  added: number
  gone: number
  changed: number
}

/** A socket's identity across listings: its inode, or for sockets without one its endpoints. */
export function identity(e: SocketEntry): string {
  if (e.inode !== null) return `${e.proto}${e.family} inode ${e.inode}`
  return `${e.proto}${e.family} ${e.local.address}:${e.local.port} ${e.remote.address}:${e.remote.port} ${e.state}`
}

/** Makes frames of knetstat text (--format knetstat, and a pipe): each call compares a listing with the previous one. */
export class WatchFrames {
  private previous: Map<string, string> | null = null

  constructor(private readonly options: RenderOptions) {}

  next(entries: readonly SocketEntry[], title: string): Frame {
    const current = new Map<string, string>()
    let added = 0
    let changed = 0
    const out: string[] = []
    const lines = renderLines(entries, this.options)
    // The gone sockets of a table go right after its lines, before the next header.
    const goneByTable = new Map<string, string[]>()
    if (this.previous !== null) {
      const present = new Set(entries.map(identity))
      for (const [key, text] of this.previous) {
        if (present.has(key)) continue
        const table = key.slice(0, 4)
        goneByTable.set(table, [...(goneByTable.get(table) ?? []), text])
      }
    }
    let gone = 0
    let table = ''
    let tables = 0
    const flushGone = (): void => {
      for (const text of goneByTable.get(table) ?? []) {
        out.push(`- ${text}`)
        gone++
      }
    }
    for (const { text, entry } of lines) {
      if (entry === null) {
        flushGone()
        const shown = this.options.tables[tables++]
        table = shown === undefined ? '' : `${shown.proto}${shown.family}`
        out.push(`  ${text}`)
        continue
      }
      const key = identity(entry)
      current.set(key, text)
      const before = this.previous?.get(key)
      let mark = ' '
      if (this.previous !== null && before === undefined) {
        mark = '+'
        added++
      } else if (before !== undefined && before !== text) {
        mark = '~'
        changed++
      }
      out.push(`${mark} ${text}`)
    }
    flushGone()
    this.previous = current
    const summary = `${title}  +${added} new  -${gone} gone  ~${changed} changed`
    return { text: `${summary}\n${out.join('\n')}\n`, added, gone, changed }
  }
}

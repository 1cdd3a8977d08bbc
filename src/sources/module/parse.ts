// Parses the module's files a slice of lines at a time, so a large file never holds
// the event loop long; a bad line names its file and line.
import { join } from 'node:path'
import type { Family, Proto, SocketEntry } from '../../model.js'
import { KnetstatParseError } from '../../text/errors.js'
import { parseKnetstat } from '../../text/parse.js'
import { breathe, SLICE } from '../../util/breathe.js'
import { TABLE_FILES, type KnetstatTexts } from '../../text/files.js'
import { MODULE_DIR } from './files.js'

/** One table of the module, parsed: its lines in file order. */
export interface ModuleTable {
  proto: Proto
  family: Family
  lines: SocketEntry[]
}

/** Lines parsed per slice: a large file never holds the event loop long. */
const PARSE_LINES = SLICE

/**
 * Parses the module's texts, a slice of lines at a time (the header is repeated
 * before each slice), yielding to the event loop between slices. A bad line
 * rejects with a KnetstatParseError naming the file and line.
 */
export async function parseModuleTexts(texts: KnetstatTexts, dir: string = MODULE_DIR): Promise<ModuleTable[]> {
  const tables: ModuleTable[] = []
  for (const { file, proto, family } of TABLE_FILES) {
    const text = texts[file]
    if (text === undefined) continue
    const all = text.split('\n')
    if (all.length > 1 && all[all.length - 1] === '') all.pop()
    const header = all[0] ?? ''
    const lines: SocketEntry[] = []
    let at = 1
    do {
      if (at > 1) await breathe()
      const slice = all.slice(at, at + PARSE_LINES)
      try {
        lines.push(...parseKnetstat([header, ...slice].join('\n') + '\n', { proto, family }))
      } catch (error) {
        if (error instanceof KnetstatParseError) {
          // Line numbers of the slice -> of the file.
          const line = error.line === 1 ? 1 : error.line + at - 1
          throw new KnetstatParseError(error.reason, line, error.column, join(dir, file))
        }
        throw error
      }
      at += PARSE_LINES
    } while (at < all.length)
    tables.push({ proto, family, lines })
  }
  return tables
}

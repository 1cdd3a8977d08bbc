import { escapeForDisplay } from './escape.js'

/**
 * Thrown by parseKnetstat for text that is not knetstat text. `line` and `column`
 * are 1-based and point at the offending token, which the message quotes.
 */
export class KnetstatParseError extends Error {
  override readonly name = 'KnetstatParseError'
  readonly code = 'ERR_KNETSTAT_PARSE'
  /** The file the text came from, when known (replayed recordings). */
  file: string | undefined

  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    file?: string,
  ) {
    super(`${file === undefined ? '' : `${escapeForDisplay(file, 1024)}: `}line ${line}, column ${column}: ${reason}`)
    this.file = file
  }

  /** The same error, attributed to a file. */
  inFile(file: string): KnetstatParseError {
    return new KnetstatParseError(this.reason, this.line, this.column, file)
  }
}

// parseKnetstat: the text of /proc/net/{tcp,tcp6,udp,udp6}stat -> SocketEntry[].
// Fields are read as whitespace-separated tokens so addresses longer than their
// column still parse; every token is checked, and anything unexpected is an error
// that points at it. Nothing is skipped.
import { rememberTail } from './option-order.js'
import { formatIPv6, formatIPv4, parseIPv4, parseIPv6 } from '../address.js'
import type { Endpoint, Family, Proto, SocketEntry, SocketOptionName, SocketOptions, TcpState } from '../model.js'
import { describeOptionKind, isKnownOption, OPTION_NAME, parseOptionValue, TEXT_OPTION_ORDER } from '../options.js'
import { diagFromCode, HEADERS, noDiag, STATES_BY_CODE, TCP_HEADER, UDP_HEADER } from './codes.js'
import { KnetstatParseError } from './errors.js'
import { escapeForDisplay } from './escape.js'
import { MAX_LINE_LENGTH, QUOTE_LENGTH } from './limits.js'
import { makeTable, type KnetstatTable } from './table.js'

export interface ParseHint {
  /** The table the text must be; it must agree with the header. */
  proto?: Proto
  /** The family of an empty table, or the one every line must have. */
  family?: Family
}

interface Token {
  text: string
  column: number
}

const DECIMAL = /^(0|[1-9][0-9]*)$/
const STATE_LIST = [...STATES_BY_CODE.keys()].join(', ')

/** Parses knetstat text. Throws KnetstatParseError naming the line and column of anything wrong. */
export function parseKnetstat(text: string, hint: ParseHint = {}): KnetstatTable {
  if (typeof text !== 'string') throw new TypeError(`parseKnetstat: text must be a string, got ${typeof text}`)
  const parser = new TableParser(hint)
  parser.write(text)
  return parser.end()
}

/**
 * parseKnetstat fed in pieces (a file read in chunks, a big string between turns of
 * the event loop): write() parses every line completed so far and throws at the first
 * error, so a bad file is rejected without reading the rest. A line is held only up
 * to MAX_LINE_LENGTH characters.
 */
export class TableParser {
  private readonly hint: ParseHint
  private proto: Proto | null = null
  private family: Family | null
  private readonly entries: SocketEntry[] = []
  private lineNo = 0
  /** The line begun by earlier writes, at most MAX_LINE_LENGTH characters. */
  private pending = ''
  private wrote = false

  constructor(hint: ParseHint = {}) {
    checkHint(hint)
    this.hint = hint
    this.family = hint.family ?? null
  }

  write(chunk: string): void {
    if (chunk === '') return
    this.wrote = true
    let start = 0
    for (;;) {
      // Look for the end of the line only as far as a valid line can reach: a 100 MB
      // line costs MAX_LINE_LENGTH characters of search, not 100 MB.
      const room = MAX_LINE_LENGTH + 1 - this.pending.length
      const window = chunk.length - start > room ? chunk.slice(start, start + room) : start === 0 ? chunk : chunk.slice(start)
      const nl = window.indexOf('\n')
      if (nl === -1) {
        this.pending += window
        if (window.length === room) this.tooLong()
        return
      }
      const line = this.pending + window.slice(0, nl)
      this.pending = ''
      this.line(line)
      start += nl + 1
    }
  }

  /** The table; throws if the text ended where it must not (no header). */
  end(): KnetstatTable {
    // The last line may lack its LF; empty text is a missing header.
    if (!this.wrote || this.pending !== '') this.line(this.pending)
    this.pending = ''
    return makeTable(this.entries, this.proto as Proto, this.family)
  }

  private line(line: string): void {
    const lineNo = ++this.lineNo
    const cr = line.indexOf('\r')
    if (cr !== -1) fail(lineNo, cr + 1, 'carriage return in the line: knetstat text ends lines with LF only')
    if (this.proto === null) {
      this.proto = protoFromHeader(line)
      if (this.hint.proto !== undefined && this.hint.proto !== this.proto) {
        fail(1, 1, `header is that of a ${this.proto.toUpperCase()} table, but a ${this.hint.proto.toUpperCase()} table was expected`)
      }
      return
    }
    const entry = parseLine(line, lineNo, this.proto)
    if (this.family === null) this.family = entry.family
    else if (entry.family !== this.family) {
      fail(lineNo, 1, `IPv${entry.family} socket in a table of IPv${this.family} sockets; each file holds one family`)
    }
    this.entries.push(entry)
  }

  private tooLong(): never {
    const lineNo = this.lineNo + 1
    // No header is this long: say what line 1 holds instead.
    if (this.proto === null) protoFromHeader(this.pending)
    fail(lineNo, MAX_LINE_LENGTH + 1, `line longer than ${MAX_LINE_LENGTH} characters (no knetstat line is): this is not knetstat text`)
  }
}

function checkHint(hint: ParseHint): void {
  if (hint === null || typeof hint !== 'object') throw new TypeError('parseKnetstat: hint must be an object')
  if (hint.proto !== undefined && hint.proto !== 'tcp' && hint.proto !== 'udp') {
    throw new TypeError(`parseKnetstat: hint.proto must be 'tcp' or 'udp', got ${JSON.stringify(hint.proto)}`)
  }
  if (hint.family !== undefined && hint.family !== 4 && hint.family !== 6) {
    throw new TypeError(`parseKnetstat: hint.family must be 4 or 6, got ${JSON.stringify(hint.family)}`)
  }
}

function protoFromHeader(header: string): Proto {
  for (const [proto, expected] of Object.entries(HEADERS) as [Proto, string][]) {
    if (header === expected) return proto
  }
  const found = header === '' ? 'an empty line' : `"${clip(header)}"`
  fail(1, 1, `missing header: found ${found}, expected "${TCP_HEADER}" or "${UDP_HEADER}"`)
}

function parseLine(line: string, lineNo: number, proto: Proto): SocketEntry {
  const min = proto === 'tcp' ? 5 : 4
  const max = proto === 'tcp' ? 7 : 5
  const { tokens, count } = tokenize(line, max + 1)
  if (count < min || count > max) {
    const layout =
      proto === 'tcp' ? 'Recv-Q Send-Q Local Foreign Stat [Diag] [Options]' : 'Recv-Q Send-Q Local Foreign [Options]'
    const where = count > max ? (tokens[max] as Token) : { column: line.length + 1, text: '' }
    const extra = count > max ? `, starting at "${clip(where.text)}"` : ''
    fail(lineNo, where.column, `wrong column count: ${count} fields${extra}; a ${proto.toUpperCase()} line is ${layout}`)
  }
  const [recvQ, sendQ, local, remote] = tokens as [Token, Token, Token, Token, ...Token[]]
  const localEp = parseEndpoint(local, lineNo)
  const remoteEp = parseEndpoint(remote, lineNo)
  if (localEp.family !== remoteEp.family) {
    fail(lineNo, remote.column, `foreign address "${clip(remote.text)}" is IPv${remoteEp.family} but the local one is IPv${localEp.family}`)
  }

  let rest = tokens.slice(4)
  let state: TcpState
  let diag = noDiag()
  if (proto === 'tcp') {
    const stat = rest[0] as Token
    const known = STATES_BY_CODE.get(stat.text)
    if (known === undefined) fail(lineNo, stat.column, `unknown state code "${clip(stat.text)}"; expected one of ${STATE_LIST}`)
    state = known
    rest = rest.slice(1)
    const flags = rest[0] === undefined ? undefined : diagFromCode(rest[0].text)
    if (flags !== undefined) {
      diag = flags
      rest = rest.slice(1)
    } else if (rest.length === 2) {
      const bad = rest[0] as Token
      fail(lineNo, bad.column, `unknown diag code "${clip(bad.text)}"; expected one of >|< >| |< >#`)
    }
  } else {
    state = remoteEp.endpoint.port !== 0 ? 'ESTABLISHED' : 'CLOSE'
  }

  const parsed = rest[0] === undefined ? null : parseOptions(rest[0], lineNo, proto)
  const options = parsed?.options ?? null
  const entry: SocketEntry = {
    proto,
    family: localEp.family,
    state,
    recvQ: parseCount(recvQ, lineNo, 'Recv-Q'),
    sendQ: parseCount(sendQ, lineNo, 'Send-Q'),
    local: localEp.endpoint,
    remote: remoteEp.endpoint,
    uid: null,
    inode: null,
    diag,
    options,
    optionsSource: options === null ? null : 'module',
  }
  if (parsed?.otherOptions !== undefined) entry.otherOptions = parsed.otherOptions
  return entry
}

/**
 * The space-separated tokens of a line, at most `max` of them (the rest are only
 * counted, in `count`): a line of a million tokens is never split into a million strings.
 */
function tokenize(line: string, max: number): { tokens: Token[]; count: number } {
  const tokens: Token[] = []
  let count = 0
  let i = 0
  while (i < line.length) {
    if (line.charCodeAt(i) === 0x20) {
      i++
      continue
    }
    let end = line.indexOf(' ', i)
    if (end === -1) end = line.length
    if (count < max) tokens.push({ text: line.slice(i, end), column: i + 1 })
    count++
    i = end
  }
  return { tokens, count }
}

function parseCount(token: Token, lineNo: number, what: string): number {
  const value = Number(token.text)
  if (!DECIMAL.test(token.text) || !Number.isSafeInteger(value)) {
    fail(lineNo, token.column, `bad ${what} "${clip(token.text)}": expected a non-negative decimal integer`)
  }
  return value
}

function parseEndpoint(token: Token, lineNo: number): { endpoint: Endpoint; family: Family } {
  const colon = token.text.lastIndexOf(':')
  if (colon <= 0) fail(lineNo, token.column, `bad address "${clip(token.text)}": expected address:port`)
  const addressText = token.text.slice(0, colon)
  const portText = token.text.slice(colon + 1)
  let port = 0
  if (portText !== '*') {
    port = Number(portText)
    if (!DECIMAL.test(portText) || port < 1 || port > 65535) {
      fail(lineNo, token.column + colon + 1, `bad port "${clip(portText)}" in "${clip(token.text)}": expected 1-65535, or * for none`)
    }
  }
  if (addressText.includes(':')) {
    const bytes = parseIPv6(addressText)
    if (bytes === null) fail(lineNo, token.column, `bad address "${clip(addressText)}": not an IPv6 address`)
    return { endpoint: { address: formatIPv6(bytes), port }, family: 6 }
  }
  const bytes = parseIPv4(addressText)
  if (bytes === null) fail(lineNo, token.column, `bad address "${clip(addressText)}": not an IPv4 dotted quad`)
  return { endpoint: { address: formatIPv4(bytes), port }, family: 4 }
}

/** A line's options: those knetstat knows, typed; the others (a newer module's) as text. */
interface ParsedOptions {
  options: SocketOptions
  otherOptions?: Record<string, string>
}

function parseOptions(token: Token, lineNo: number, proto: Proto): ParsedOptions {
  const order: readonly string[] = TEXT_OPTION_ORDER[proto]
  const options: SocketOptions = {}
  let otherOptions: Record<string, string> | undefined
  let lastRank = -1
  let lastName = ''
  const tail: string[] = []
  let column = token.column
  for (const pair of token.text.split(',')) {
    const eq = pair.indexOf('=')
    if (pair === '') fail(lineNo, column, `empty option in "${clip(token.text)}": options are NAME=value separated by single commas`)
    if (eq === -1) fail(lineNo, column, `option "${clip(pair)}" has no "=": expected NAME=value`)
    const name = pair.slice(0, eq)
    const valueText = pair.slice(eq + 1)
    if (!OPTION_NAME.test(name)) fail(lineNo, column, `bad option name "${clip(name)}": expected an upper-case setsockopt name`)
    if (Object.hasOwn(options, name) || (otherOptions !== undefined && Object.hasOwn(otherOptions, name))) {
      fail(lineNo, column, `option ${clip(name)} appears twice`)
    }
    const value = parseOptionValue(name, valueText)
    if (value === undefined) fail(lineNo, column + eq + 1, `bad value "${clip(valueText)}" for ${clip(name)}: expected ${describeOptionKind(name)}`)
    // The module prints its options in a fixed order and newer ones after them;
    // holding text to that order is what lets formatKnetstat give it back unchanged
    // (the order after the module's is remembered, see option-order.ts).
    const rank = order.indexOf(name)
    const effectiveRank = rank === -1 ? order.length : rank
    if (effectiveRank < lastRank) {
      fail(lineNo, column, `option ${clip(name)} is out of order: it comes before ${clip(lastName)} in knetstat text`)
    }
    lastRank = effectiveRank
    lastName = name
    if (rank === -1) tail.push(name)
    if (isKnownOption(name)) setOption(options, name, value)
    else (otherOptions ??= {})[name] = value as string // an unknown name's value is its text
    column += pair.length + 1
  }
  if (otherOptions === undefined) return { options }
  rememberTail(options, tail)
  return { options, otherOptions }
}

/** Sets a known option to a value parseOptionValue read for it, so of its kind. */
function setOption(options: SocketOptions, name: SocketOptionName, value: boolean | number | string): void {
  ;(options as Record<SocketOptionName, boolean | number | string>)[name] = value
}

/** Input quoted in a message: escaped (no control or bidi characters reach a log) and short. */
function clip(text: string): string {
  return escapeForDisplay(text, QUOTE_LENGTH)
}

function fail(line: number, column: number, reason: string): never {
  throw new KnetstatParseError(reason, line, column)
}

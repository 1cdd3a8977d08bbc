// formatKnetstat: SocketEntry[] -> exactly the text the kernel module writes.
import { tailOrder } from './option-order.js'
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../address.js'
import type { Endpoint, Proto, SocketEntry, SocketOptions } from '../model.js'
import { formatOptionValue, isKnownOption, OPTION_KINDS, OPTION_NAME, TEXT_OPTION_ORDER, unknownOptionMessage } from '../options.js'
import { diagCode, HEADERS, STATE_CODES } from './codes.js'
import { MAX_LINE_LENGTH } from './limits.js'

export interface FormatOptions {
  /** The table to write; needed only for an empty list that did not come from parseKnetstat. */
  proto?: Proto
}

const ADDRESS_COLUMN = 23

/** Formats entries as one knetstat file (header included, one line per entry, LF endings). */
export function formatKnetstat(entries: readonly SocketEntry[], opts: FormatOptions = {}): string {
  if (!Array.isArray(entries)) throw new TypeError('formatKnetstat: entries must be an array of SocketEntry')
  const proto: unknown = opts.proto ?? (entries as { proto?: Proto }).proto ?? entries[0]?.proto
  if (proto !== 'tcp' && proto !== 'udp') {
    throw new TypeError(
      proto === undefined
        ? "formatKnetstat: an empty list needs { proto: 'tcp' | 'udp' } to choose its header"
        : `formatKnetstat: proto must be 'tcp' or 'udp', got ${JSON.stringify(proto)}`,
    )
  }
  const addresses = new Map<string, string>()
  let out = HEADERS[proto] + '\n'
  entries.forEach((entry, index) => {
    out += formatLine(entry, proto, index, addresses) + '\n'
  })
  return out
}

function formatLine(entry: SocketEntry, proto: Proto, index: number, addresses: Map<string, string>): string {
  const bad = (field: string, why: string): never => {
    throw new TypeError(`formatKnetstat: entries[${index}].${field}${why.startsWith('.') ? '' : ' '}${why}`)
  }
  if (entry === null || typeof entry !== 'object') bad('', 'is not a SocketEntry')
  if (entry.proto !== proto) bad('proto', `is ${JSON.stringify(entry.proto)} in a ${proto.toUpperCase()} table`)
  let line =
    queue(entry.recvQ, () => bad('recvQ', 'must be a non-negative integer')).padStart(6) +
    ' ' +
    queue(entry.sendQ, () => bad('sendQ', 'must be a non-negative integer')).padStart(6) +
    ' ' +
    endpoint(entry.local, addresses, (why) => bad('local', why)).padEnd(ADDRESS_COLUMN) +
    ' ' +
    endpoint(entry.remote, addresses, (why) => bad('remote', why)).padEnd(ADDRESS_COLUMN) +
    ' '
  if (entry.options == null && Object.keys(entry.otherOptions ?? {}).length > 0) {
    bad('otherOptions', 'is set but options is null: a line without options has no other options either')
  }
  const options = entry.options == null ? '' : formatOptions(entry.options, entry.otherOptions, proto, bad)
  if (proto === 'tcp') {
    const code = STATE_CODES[entry.state]
    if (code === undefined || !Object.prototype.hasOwnProperty.call(STATE_CODES, entry.state)) {
      bad('state', `is ${JSON.stringify(entry.state)}, not a TCP state name`)
    }
    line += code + ' ' + diagCode(entry.diag ?? {}).padEnd(4) + ' '
  }
  // A socket without options (TIME_WAIT, a request socket, a netlink-only listing)
  // ends right after its last field.
  const out = (line + options).trimEnd()
  // parseKnetstat refuses longer lines: never write text that cannot be read back.
  if (out.length > MAX_LINE_LENGTH) bad('options', `make a line of ${out.length} characters; knetstat text allows ${MAX_LINE_LENGTH}`)
  return out
}

function queue(value: unknown, bad: () => never): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) bad()
  return String(value)
}

function endpoint(ep: Endpoint, addresses: Map<string, string>, bad: (why: string) => never): string {
  if (ep === null || typeof ep !== 'object') bad('must be { address, port }')
  const { address, port } = ep
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) bad(`.port must be 0-65535, got ${port}`)
  let canonical = addresses.get(address)
  if (canonical === undefined) {
    const v4 = typeof address === 'string' ? parseIPv4(address) : null
    const v6 = v4 === null && typeof address === 'string' ? parseIPv6(address) : null
    if (v4 !== null) canonical = formatIPv4(v4)
    else if (v6 !== null) canonical = formatIPv6(v6)
    else bad(`.address ${JSON.stringify(address)} is not an IPv4 or IPv6 address`)
    addresses.set(address, canonical)
  }
  return `${canonical}:${port === 0 ? '*' : port}`
}

/**
 * The NAME=value pairs: the module's options in its order, then the other known
 * options and those this version does not know (otherOptions): in the order of the
 * parsed line they came from, else known before unknown, each in its key order.
 */
function formatOptions(
  options: SocketOptions,
  otherOptions: Readonly<Record<string, string>> | undefined,
  proto: Proto,
  bad: (field: string, why: string) => never,
): string {
  const order: readonly string[] = TEXT_OPTION_ORDER[proto]
  const known = [...order, ...Object.keys(options).filter((name) => !order.includes(name))]
  const pairs: string[] = []
  const text = new Map<string, string>()
  for (const name of known) {
    // Read as a plain record: a JavaScript caller may have put any name here.
    const value: unknown = (options as Record<string, unknown>)[name]
    if (value === undefined) continue
    if (!OPTION_NAME.test(name)) bad('options', `has a bad name ${JSON.stringify(name)}: names are upper-case setsockopt constants`)
    if (!isKnownOption(name)) bad('options', `.${name}: ${unknownOptionMessage(name)}. Options knetstat does not know go in otherOptions, as text`)
    const kind = OPTION_KINDS[name]
    const ok =
      kind === 'bool'
        ? typeof value === 'boolean'
        : kind === 'string'
          ? typeof value === 'string'
          : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    if (!ok) bad('options', `.${name} has a value of the wrong type: ${JSON.stringify(value)}`)
    text.set(name, `${name}=${formatOptionValue(name, value as boolean | number | string)}`)
  }
  for (const [name, value] of Object.entries(otherOptions ?? {})) {
    if (!OPTION_NAME.test(name)) bad('otherOptions', `has a bad name ${JSON.stringify(name)}: names are upper-case setsockopt constants`)
    // Parsed back, a known name would land in options: the text would not round-trip.
    if (isKnownOption(name)) bad('otherOptions', `.${name} is an option knetstat knows: it goes in options`)
    if (typeof value !== 'string') bad('otherOptions', `.${name} must be a string (the value as text), got ${JSON.stringify(value)}`)
    text.set(name, `${name}=${formatOptionValue(name, value)}`)
  }
  // The module's options in its order; after them the rest in the order a parsed line had, else known before unknown.
  const head = [...text.keys()].filter((name) => order.includes(name))
  const rest = [...text.keys()].filter((name) => !order.includes(name))
  for (const name of [...head, ...(tailOrder(options, rest) ?? rest)]) pairs.push(text.get(name) as string)
  return pairs.join(',')
}

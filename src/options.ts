// The socket options knetstat knows: their value kinds and the order in which the
// knetstat text prints them (docs/format.md).
import type { Family, Proto } from './model.js'
import { didYouMean } from './util/suggest.js'

/**
 * How an option's value is written in knetstat text:
 * bool `0`/`1`; int plain decimal; ms decimal + `ms`; s decimal + `s`; string as is.
 */
export type OptionKind = 'bool' | 'int' | 'ms' | 's' | 'string'

export const OPTION_KINDS: Readonly<Record<string, OptionKind>> = {
  SO_REUSEADDR: 'bool',
  SO_REUSEPORT: 'bool',
  SO_KEEPALIVE: 'bool',
  TCP_KEEPIDLE: 'int',
  TCP_KEEPCNT: 'int',
  TCP_KEEPINTVL: 'int',
  TCP_USER_TIMEOUT: 'int',
  SO_RCVBUF: 'int',
  SO_SNDBUF: 'int',
  SO_RCVTIMEO: 'ms',
  SO_SNDTIMEO: 'ms',
  SO_LINGER: 's',
  TCP_NODELAY: 'bool',
  TCP_FASTOPEN: 'int',
  TCP_DEFER_ACCEPT: 'int',
  SO_BROADCAST: 'bool',
  TCP_CONGESTION: 'string',
  SO_MARK: 'int',
  SO_PRIORITY: 'int',
  IP_TOS: 'int',
  IPV6_TCLASS: 'int',
  IPV6_V6ONLY: 'bool',
  SO_BINDTODEVICE: 'string',
  TCP_MAXSEG: 'int',
  IP_FREEBIND: 'bool',
  IP_TRANSPARENT: 'bool',
  TCP_NOTSENT_LOWAT: 'int',
}

/** The module's option order per table; anything else follows these. */
export const TEXT_OPTION_ORDER: Readonly<Record<Proto, readonly string[]>> = {
  tcp: [
    'SO_REUSEADDR',
    'SO_REUSEPORT',
    'SO_KEEPALIVE',
    'TCP_KEEPIDLE',
    'TCP_KEEPCNT',
    'TCP_KEEPINTVL',
    'TCP_USER_TIMEOUT',
    'SO_RCVBUF',
    'SO_SNDBUF',
    'SO_RCVTIMEO',
    'SO_SNDTIMEO',
    'SO_LINGER',
    'TCP_NODELAY',
    'TCP_FASTOPEN',
    'TCP_DEFER_ACCEPT',
  ],
  udp: ['SO_REUSEADDR', 'SO_REUSEPORT', 'SO_RCVBUF', 'SO_SNDBUF', 'SO_RCVTIMEO', 'SO_SNDTIMEO', 'SO_LINGER', 'SO_BROADCAST'],
}

/** Option names: what setsockopt constants look like. */
export const OPTION_NAME = /^[A-Z][A-Z0-9_]*$/

const UNIT_SUFFIX: Partial<Record<OptionKind, string>> = { ms: 'ms', s: 's' }

// String values (a congestion algorithm, a device name, an unknown option's text) may
// hold characters that would end the value or the line: those travel as \xHH, one
// escape per UTF-8 byte, so the text stays printable ASCII.
const NEEDS_ESCAPE = /[^\x21-\x7e]|[,=\\]/gu
const encoder = new TextEncoder()

function escapeString(value: string): string {
  return value.replace(NEEDS_ESCAPE, (c) =>
    Array.from(encoder.encode(c), (b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''),
  )
}

/** Undoes escapeString; undefined unless `text` is exactly what escapeString writes. */
function unescapeString(text: string): string | undefined {
  if (!text.includes('\\')) return /^[\x21-\x7e]*$/.test(text) && !/[,=]/.test(text) ? text : undefined
  if (/\\(?!x[0-9a-f]{2})/.test(text)) return undefined
  const bytes = text.replace(/\\x([0-9a-f]{2})|./gs, (m, hex: string | undefined) =>
    hex === undefined ? m : String.fromCharCode(parseInt(hex, 16)),
  )
  const value = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)))
  return escapeString(value) === text ? value : undefined
}

/** Writes a value for knetstat text. Unknown names are written as strings. */
export function formatOptionValue(name: string, value: boolean | number | string): string {
  const kind = OPTION_KINDS[name]
  if (kind === 'bool') return value === true ? '1' : '0'
  if (kind === undefined || kind === 'string') return escapeString(String(value))
  return `${value}${UNIT_SUFFIX[kind] ?? ''}`
}

const DECIMAL = /^(0|[1-9][0-9]*)$/

/**
 * Reads a value from knetstat text. Returns undefined when the text is not a value of
 * the option's kind; unknown names keep their text as a string.
 */
export function parseOptionValue(name: string, text: string): boolean | number | string | undefined {
  const kind = OPTION_KINDS[name]
  if (kind === undefined || kind === 'string') return unescapeString(text)
  if (kind === 'bool') return text === '1' ? true : text === '0' ? false : undefined
  const suffix = UNIT_SUFFIX[kind] ?? ''
  if (!text.endsWith(suffix)) return undefined
  const digits = text.slice(0, text.length - suffix.length)
  if (!DECIMAL.test(digits)) return undefined
  const value = Number(digits)
  return Number.isSafeInteger(value) ? value : undefined
}

/** What a value of this option looks like, for error messages. */
export function describeOptionKind(name: string): string {
  switch (OPTION_KINDS[name]) {
    case 'bool':
      return '0 or 1'
    case 'int':
      return 'a non-negative integer'
    case 'ms':
      return 'milliseconds such as 1500ms'
    case 's':
      return 'seconds such as 7s'
    default:
      return 'text where \\xHH escapes a byte'
  }
}

/** Whether knetstat knows this option name (a key of SocketOptions). */
export function isKnownOption(name: string): boolean {
  return Object.hasOwn(OPTION_KINDS, name)
}

/** What to say of an option name knetstat does not know: the name, the closest known ones. */
export function unknownOptionMessage(name: string): string {
  return `unknown socket option ${JSON.stringify(name)}${didYouMean(name, Object.keys(OPTION_KINDS))}; knetstat knows ${Object.keys(OPTION_KINDS).join(', ')}`
}

/**
 * The options a source reports only while they are set (docs/options.md, "reported"):
 * their absence means "not set". Every other option is reported on every socket it
 * applies to, so its absence means the source did not report it.
 */
export const REPORTED_WHEN_SET: ReadonlySet<string> = new Set([
  'TCP_KEEPIDLE',
  'TCP_KEEPCNT',
  'TCP_KEEPINTVL',
  'TCP_USER_TIMEOUT',
  'SO_RCVBUF',
  'SO_SNDBUF',
  'SO_RCVTIMEO',
  'SO_SNDTIMEO',
  'SO_LINGER',
  'SO_BINDTODEVICE',
  'TCP_MAXSEG',
  'TCP_NOTSENT_LOWAT',
])

/** Whether a socket can have the option: TCP_* on TCP, IPV6_* on IPv6, IP_TOS on IPv4, SO_BROADCAST on UDP; the rest on every socket. */
export function optionApplies(option: string, socket: { proto: Proto; family: Family }): boolean {
  if (option.startsWith('TCP_')) return socket.proto === 'tcp'
  if (option.startsWith('IPV6_')) return socket.family === 6
  if (option === 'IP_TOS') return socket.family === 4
  if (option === 'SO_BROADCAST') return socket.proto === 'udp'
  return true
}

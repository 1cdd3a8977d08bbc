// The values of the command's options, one parser each: the text as given in, the
// value out, or a UsageError that says what to give instead.
import { TCP_STATES, type TcpState } from '../model.js'
import { parseExpectation } from '../health/expect.js'
import { parseAddressPrefix } from '../filter.js'
import type { PortMatch } from '../query.js'

/** A usage error: exit code 2, with the usage line. */
export class UsageError extends Error {}

export type Source = 'auto' | 'module' | 'bpf' | 'pidfd' | 'netlink'

export type ColorMode = 'auto' | 'always' | 'never'

/** --proc-net DIR: any path but the empty one. */
export function recording(dir: string): string {
  // An empty path would silently mean "no recording" further down: the live host.
  if (dir === '') throw new UsageError('--proc-net needs the directory of a recording, got an empty path')
  return dir
}

const BYTE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }

/** N bytes, or N with K, M or G (binary units, as in 512M). */
export function bytes(flag: string, text: string): number {
  const m = /^([0-9]+)([KMG]?)(?:i?B)?$/i.exec(text.trim())
  const n = m === null ? NaN : Number(m[1]) * (BYTE_UNITS[(m[2] as string).toUpperCase()] as number)
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} ${JSON.stringify(text)}: give a size in bytes, such as 268435456 or 256M`)
  return n
}

/** --watch SEC: seconds between 0.1 and a day. */
export function seconds(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0.1 || n > 86400) throw new UsageError(`--watch ${text}: give seconds between 0.1 and 86400`)
  return n
}

/** A kernel state name, in any case, with - or _, or one of ss's and netstat's names for it. */
export function state(text: string): TcpState {
  const name = text.trim().toUpperCase().replace(/-/g, '_')
  const aliases: Record<string, TcpState> = { LISTENING: 'LISTEN', ESTAB: 'ESTABLISHED', UNCONN: 'CLOSE', CLOSED: 'CLOSE' }
  const found = aliases[name] ?? TCP_STATES.find((s) => s === name)
  if (found === undefined) throw new UsageError(`unknown state ${JSON.stringify(text)}; use one of ${TCP_STATES.join(', ')}`)
  return found
}

/** N or FROM-TO. */
export function port(text: string): PortMatch {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(text.trim())
  const from = Number(m?.[1])
  const to = m?.[2] === undefined ? from : Number(m[2])
  if (m === null || from > 65535 || to > 65535 || from > to) throw new UsageError(`bad port ${JSON.stringify(text)}: give N or FROM-TO within 0-65535`)
  return from === to ? from : { from, to }
}

export function sourceName(text: string): Source {
  if (text === 'auto' || text === 'module' || text === 'bpf' || text === 'pidfd' || text === 'netlink') return text
  throw new UsageError(`unknown source ${JSON.stringify(text)}; use auto, module, bpf, pidfd or netlink`)
}

/** --expect NAME=VALUE (and its -listener and -connections forms): the text, once it reads as an expectation. */
export function expectation(flag: string, text: string): string {
  try {
    parseExpectation(text)
    return text
  } catch (error) {
    throw new UsageError(`${flag} ${(error as Error).message}`)
  }
}

/** --address A: one IPv4 or IPv6 address. */
export function address(flag: string, text: string): string {
  if (text.includes('/') || parseAddressPrefix(text) === null) throw new UsageError(`${flag} ${JSON.stringify(text)}: give one IPv4 or IPv6 address, such as 127.0.0.1 or ::1`)
  return text
}

/** An address filter of a listing: an address or a network, read by the library's parser (filter.ts). */
export function addressPrefix(flag: string, text: string): string {
  if (parseAddressPrefix(text) === null) throw new UsageError(`${flag} ${JSON.stringify(text)}: give an IPv4 or IPv6 address or network, such as 127.0.0.1, ::1 or 10.0.0.0/8`)
  return text
}

/** --format: the table for people, or knetstat text (the module's files) for tools. */
export function outputFormat(text: string): 'table' | 'knetstat' {
  if (text === 'table' || text === 'knetstat') return text
  throw new UsageError(`--format ${JSON.stringify(text)}: use table or knetstat (or --json, --ndjson)`)
}

/** --color WHEN. */
export function colorMode(text: string): ColorMode {
  if (text === 'auto' || text === 'always' || text === 'never') return text
  throw new UsageError(`--color ${JSON.stringify(text)}: use auto, always or never`)
}

/** --backlog N: the service's listen() backlog. */
export function backlog(text: string): number {
  const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(n)) throw new UsageError(`--backlog ${JSON.stringify(text)}: give the service's listen() backlog, a non-negative integer (511 for a Node server)`)
  return n
}

/** --nearly-full RATIO: a number in (0, 1]. */
export function ratio(flag: string, text: string): number {
  const n = /^[0-9.]+$/.test(text) ? Number(text) : NaN
  if (!(n > 0 && n <= 1)) throw new UsageError(`${flag} ${JSON.stringify(text)}: give a ratio in (0, 1], such as 0.8`)
  return n
}

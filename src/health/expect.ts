// Expected socket options: "TCP_NODELAY=1" as a check states them, and what one
// socket says of one expectation: met, broken, or unknown (never a guess).
import { isMinisocket, type SocketEntry, type UndecidableOption, type UndecidableWhy } from '../model.js'
import { describeOptionKind, isKnownOption, OPTION_KINDS, optionApplies, parseOptionValue, REPORTED_WHEN_SET, TEXT_OPTION_ORDER, unknownOptionMessage } from '../options.js'

export type OptionValue = boolean | number | string

/** Option name -> the value a checked socket must have (SocketOptions' units). */
export type Expectations = Readonly<Record<string, OptionValue>>

/** Reads `NAME=value` in knetstat text units (`1`/`0`, `1500ms`, `7s`, numbers, text). Throws a TypeError saying what is wrong. */
export function parseExpectation(text: string): [string, OptionValue] {
  const eq = text.indexOf('=')
  if (eq <= 0) throw new TypeError(`expectation ${JSON.stringify(text)} is not NAME=value (e.g. TCP_NODELAY=1)`)
  const name = text.slice(0, eq)
  if (!isKnownOption(name)) throw new TypeError(`expectation ${JSON.stringify(text)}: ${unknownOptionMessage(name)}`)
  const value = parseOptionValue(name, text.slice(eq + 1))
  if (value === undefined) throw new TypeError(`expectation ${JSON.stringify(text)}: ${name} takes ${describeOptionKind(name)}`)
  return [name, value]
}

/** Expectations as an object (`{ TCP_NODELAY: true }`) or as `NAME=value` texts; a TypeError names the first bad one, `where` says which field. */
export function toExpectations(expect: unknown, where: string): Expectations {
  if (Array.isArray(expect)) {
    const out: Record<string, OptionValue> = {}
    for (const text of expect as unknown[]) {
      if (typeof text !== 'string') throw new TypeError(`${where}: texts must be strings like "TCP_NODELAY=1", got ${typeof text}`)
      const [name, value] = parseExpectation(text)
      out[name] = value
    }
    return out
  }
  if (expect === null || typeof expect !== 'object') {
    throw new TypeError(`${where} must be an object of option name -> value, e.g. { TCP_NODELAY: true }, or texts like ['TCP_NODELAY=1']`)
  }
  for (const [name, value] of Object.entries(expect)) {
    if (!isKnownOption(name)) throw new TypeError(`${where}.${name}: ${unknownOptionMessage(name)}`)
    const kind = OPTION_KINDS[name]
    const ok = kind === 'bool' ? typeof value === 'boolean' : kind === 'string' ? typeof value === 'string' : Number.isSafeInteger(value) && (value as number) >= 0
    if (!ok) {
      const wanted = kind === 'bool' ? 'true or false' : kind === 'string' ? 'a string' : `a non-negative integer (${UNIT_WORDS[kind as string] ?? 'a count'})`
      throw new TypeError(`${where}.${name} must be ${wanted}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`)
    }
  }
  return expect as Expectations
}

const UNIT_WORDS: Record<string, string> = { ms: 'milliseconds', s: 'seconds' }

/** The options the module reads; any other is unavailable from it (docs/options.md). */
const MODULE_OPTIONS: ReadonlySet<string> = new Set([...TEXT_OPTION_ORDER.tcp, ...TEXT_OPTION_ORDER.udp])

/** What an absent key means for options whose unset state reads as a value: off, or 0 where 0 means unset. */
function valueWhenAbsent(option: string): OptionValue | undefined {
  if (OPTION_KINDS[option] === 'bool') return false
  return ZERO_IS_UNSET.has(option) ? 0 : undefined
}

const ZERO_IS_UNSET: ReadonlySet<string> = new Set(['TCP_USER_TIMEOUT', 'SO_RCVTIMEO', 'SO_SNDTIMEO', 'TCP_NOTSENT_LOWAT', 'TCP_FASTOPEN', 'TCP_DEFER_ACCEPT'])

/** What one socket says of one expectation. */
export type Judgement =
  | { status: 'met'; actual: OptionValue | undefined }
  | { status: 'broken'; actual: OptionValue | undefined }
  | { status: 'unknown'; why: string; supply: string; undecidable?: UndecidableWhy }

/**
 * Judges one expectation on one full socket. Unknown, never broken, when the
 * socket's options could not be read, its source cannot decide or does not read
 * the option, or a recording cannot say.
 */
export function judgeOption(entry: SocketEntry, option: string, expected: OptionValue): Judgement {
  if (entry.options === null) {
    const error = entry.optionsError
    return {
      status: 'unknown',
      why: `its options could not be read${error === undefined ? '' : ` (${error.code})`}`,
      supply: "run the check as root or as the service's user, or load the knetstat module",
    }
  }
  const actual = (entry.options as Record<string, OptionValue | undefined>)[option]
  if (actual === expected) return { status: 'met', actual }
  if (actual !== undefined) return { status: 'broken', actual }
  const undecidable = entry.optionsUndecidable?.[option as UndecidableOption]
  if (undecidable !== undefined) {
    return {
      status: 'unknown',
      why: `the ${entry.optionsSource ?? 'options'} source cannot tell whether ${option} was set (${undecidable}, see docs/options.md)`,
      supply: 'run the check as root (the bpf source decides it) or load the knetstat module',
      undecidable,
    }
  }
  if (!MODULE_OPTIONS.has(option) && (entry.optionsSource === 'module' || entry.netlink === undefined)) {
    const what = entry.netlink === undefined ? 'a recording (module text) does not carry' : 'the module does not read'
    return { status: 'unknown', why: `${what} ${option}`, supply: "use --source bpf or pidfd (options: 'bpf' or 'pidfd') on the live host" }
  }
  if (!REPORTED_WHEN_SET.has(option) && optionApplies(option, entry)) {
    // Reported on every such socket, yet absent: an older module that does not print it.
    return { status: 'unknown', why: `the ${entry.optionsSource ?? 'options'} source did not report ${option} (an older module?)`, supply: 'update the knetstat module, or use --source bpf or pidfd' }
  }
  return valueWhenAbsent(option) === expected ? { status: 'met', actual } : { status: 'broken', actual }
}

/**
 * Sockets that have options at all: minisockets (TIME_WAIT and connection requests,
 * isMinisocket) have none. A recorded line has no inode: its options, when it has
 * any, say it is a full socket.
 */
export function hasOptions(entry: SocketEntry): boolean {
  return entry.options !== null || !isMinisocket(entry)
}

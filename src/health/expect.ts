// Expected socket options: "TCP_NODELAY=1" as a health check states them, and which
// sockets break them.
import { isMinisocket, type SocketEntry, type UndecidableOption, type UndecidableWhy } from '../model.js'
import { describeOptionKind, isKnownOption, OPTION_NAME, optionKind, parseOptionValue } from '../options.js'

export type OptionValue = boolean | number | string

/** Option name -> the value every checked socket must have (SocketOptions' units). */
export type Expectations = Readonly<Record<string, OptionValue>>

export interface ExpectationFailure {
  option: string
  expected: OptionValue
  /** What the socket has: undefined when the option is not set (or not reported), null when its options are unknown. */
  actual: OptionValue | undefined | null
  /** Why the options are unknown (optionsError), when they are. */
  reason?: string
  /** Why the source could not decide the option (optionsUndecidable), when it could not: `actual` is then undefined. */
  undecidable?: UndecidableWhy
}

/** Reads `NAME=value` in knetstat text units (`1`/`0`, `1500ms`, `7s`, numbers, text). Throws a TypeError saying what is wrong. */
export function parseExpectation(text: string): [string, OptionValue] {
  const eq = text.indexOf('=')
  if (eq <= 0) throw new TypeError(`expectation ${JSON.stringify(text)} is not NAME=value (e.g. TCP_NODELAY=1)`)
  const name = text.slice(0, eq)
  if (!OPTION_NAME.test(name)) throw new TypeError(`expectation ${JSON.stringify(text)}: ${JSON.stringify(name)} is not a socket option name (e.g. SO_KEEPALIVE)`)
  const value = parseOptionValue(name, text.slice(eq + 1))
  if (value === undefined) {
    throw new TypeError(`expectation ${JSON.stringify(text)}: ${name} takes ${describeOptionKind(name)}`)
  }
  return [name, value]
}

/** Checks a plain object of expectations; throws a TypeError naming a bad entry. */
export function checkExpectationsShape(expectations: unknown): Expectations {
  if (expectations === null || typeof expectations !== 'object' || Array.isArray(expectations)) {
    throw new TypeError('expect must be an object of option name -> value, e.g. { TCP_NODELAY: true }')
  }
  for (const [name, value] of Object.entries(expectations)) {
    const kind = optionKind(name)
    const ok =
      kind === 'bool' ? typeof value === 'boolean' : kind === 'string' || kind === undefined ? typeof value === 'string' : typeof value === 'number'
    if (!OPTION_NAME.test(name) || !ok) {
      throw new TypeError(`expect.${name} must be ${kind === 'bool' ? 'true or false' : kind === undefined || kind === 'string' ? 'a string' : 'a number'}`)
    }
  }
  return expectations as Expectations
}

/**
 * Sockets that have options at all: minisockets (TIME_WAIT and connection requests,
 * isMinisocket) have none. A recorded line has no inode: its options, when it has
 * any, say it is a full socket.
 */
export function hasOptions(entry: SocketEntry): boolean {
  return entry.options !== null || !isMinisocket(entry)
}

/** The expectations a socket breaks (none for sockets without options, see hasOptions). */
export function brokenExpectations(entry: SocketEntry, expectations: Expectations): ExpectationFailure[] {
  if (!hasOptions(entry)) return []
  const failures: ExpectationFailure[] = []
  for (const [option, expected] of Object.entries(expectations)) {
    if (entry.options === null) {
      const failure: ExpectationFailure = { option, expected, actual: null }
      if (entry.optionsError !== undefined) failure.reason = `${entry.optionsError.code}: ${entry.optionsError.message}`
      failures.push(failure)
      continue
    }
    const actual = isKnownOption(option) ? entry.options[option] : entry.otherOptions?.[option]
    if (actual === expected) continue
    const undecidable = actual === undefined ? entry.optionsUndecidable?.[option as UndecidableOption] : undefined
    failures.push(undecidable === undefined ? { option, expected, actual } : { option, expected, actual, undecidable })
  }
  return failures
}

// What `knetstat check` prints: one verdict line, then failures, unknowns (with what
// would supply them) and warnings, one line each; or the result as JSON. The exit
// code says the verdict to exec probes: 0 ok, 1 fail, 3 unknown (2 is a usage error).
import { checkResultJson } from '../health/check.js'
import { describeTarget } from '../health/check-spec.js'
import type { CheckResult, CheckStatus } from '../health/evaluate.js'
import { formatOptionValue } from '../options.js'
import { forTerminal, jsonForTerminal } from './terminal.js'

export const CHECK_EXIT: Record<CheckStatus, number> = { ok: 0, fail: 1, unknown: 3 }

export function renderCheck(result: CheckResult): string {
  const { target } = result
  const sockets =
    target.kind === 'service'
      ? `${count(result.listeners.length, target.proto === 'tcp' ? 'listener' : 'bound socket')}, ${count(result.connections.length, 'connection')} (${result.judged} judged)`
      : `${count(result.connections.length, 'connection')} (${result.judged} judged)`
  let head: string
  if (result.status === 'ok') head = `ok: ${describeTarget(target)}: ${sockets}; ${checked(result)}`
  else if (result.status === 'fail') head = `FAIL: ${describeTarget(target)}: ${count(result.problems.length, 'problem')}; ${sockets}`
  else head = `UNKNOWN: ${describeTarget(target)}: ${count(result.unknowns.length, 'thing')} cannot be known, nothing failed; ${sockets}`
  // Lines quote addresses and option values of other users' sockets or a recording.
  const lines = [
    ...result.problems.map((l) => `  ${l}`),
    ...result.unknowns.map((l) => `  unknown: ${l}`),
    ...result.warnings.map((l) => `  warning: ${l}`),
  ]
  return forTerminal(`knetstat check: ${head}\n${lines.map((l) => `${l}\n`).join('')}`)
}

export function renderCheckJson(result: CheckResult): string {
  return `${jsonForTerminal(JSON.stringify(checkResultJson(result), null, 2))}\n`
}

/** A listing that failed: the check cannot say, which is the unknown verdict. */
export function renderCheckError(error: unknown, json: boolean): string {
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (json) return `${jsonForTerminal(JSON.stringify({ status: 'unknown', ok: false, error: { code: typeof code === 'string' ? code : null, message: `cannot list sockets: ${message}` } }, null, 2))}\n`
  return forTerminal(`knetstat check: UNKNOWN: cannot list sockets: ${message}\n`)
}

/** What an ok check checked: `TCP_NODELAY=1 on connections, accept queues not full`. */
function checked(result: CheckResult): string {
  const what = result.expectations.map((e) => `${e.option}=${formatOptionValue(e.option, e.expected)} on ${e.role === 'listener' ? 'the listener' : 'connections'}`)
  if (result.target.kind === 'service' && result.target.proto === 'tcp') what.push('accept queues not full')
  if (result.findings.every((f) => f.check !== 'stalled')) what.push('nothing stalled')
  return what.join(', ')
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

// checkSockets: list a check's target and judge it. The one implementation behind
// the library, `knetstat check`, the collector's checks and the health endpoint.
import { listSockets } from '../list.js'
import type { ListQuery } from '../query.js'
import type { SocketEntry } from '../model.js'
import { formatOptionValue } from '../options.js'
import { normalizeCheck, type NormalizedCheck, type SocketCheck } from './check-spec.js'
import { evaluateCheck, type CheckResult } from './evaluate.js'
import type { InEffect } from './expect.js'
import { readSysctlDefaults, unsetValue } from '../sources/pidfd/index.js'
import { describeSocket } from './summary.js'
import { inNetnsSpec } from '../netns/open.js'

/**
 * Checks a service: `await checkSockets({ port: 5432, expect: ['TCP_NODELAY=1', 'SO_KEEPALIVE=1'] })`.
 * Its listener(s) must exist; each expectation is judged on the listener or on the
 * connections it accepted (see SocketCheck.expect); what cannot be known makes the
 * status 'unknown', never 'ok'. Throws a TypeError for a bad check before listing;
 * rejects as listSockets does when the listing fails.
 */
export async function checkSockets(check: SocketCheck): Promise<CheckResult> {
  return runCheck(normalizeCheck(check), listSockets)
}

/** A normalized check over a given listing function (the collector passes its own). */
export async function runCheck(check: NormalizedCheck, list: (query: ListQuery) => Promise<SocketEntry[]>): Promise<CheckResult> {
  const entries = await list(check.query)
  return evaluateCheck(check, entries, await defaultsInEffect(entries, check.query.netns))
}

/**
 * pidfd cannot tell an option set to the system default from one not set, but either
 * way the default is in effect: the sysctls, read now as pidfd read them, say which
 * value that is (so that TCP_KEEPIDLE=60 fails against the default 7200).
 */
async function defaultsInEffect(entries: readonly SocketEntry[], netns: ListQuery['netns']): Promise<InEffect | undefined> {
  const live = entries.some((e) => e.netlink !== undefined && e.optionsUndecidable !== undefined && Object.values(e.optionsUndecidable).includes('equals-default'))
  if (!live) return undefined
  // The defaults are the service's namespace's own.
  const sys = netns === undefined ? await readSysctlDefaults() : await inNetnsSpec(netns, (target) => readSysctlDefaults(undefined, target))
  return (option, entry) => (entry.netlink === undefined ? null : unsetValue(option, entry.proto, sys))
}

/** Sockets named in the JSON form of a finding. */
const JSON_SOCKETS = 10

/** A result as plain JSON data: sockets named (`tcp 127.0.0.1:5432 -> 127.0.0.1:41000 ESTABLISHED`), at most 10 per finding, option values in knetstat text units. */
export interface CheckResultJson {
  status: CheckResult['status']
  ok: boolean
  target: CheckResult['target']
  expectations: { option: string; role: string; expected: string }[]
  listeners: number
  connections: number
  judged: number
  findings: {
    status: string
    check: string
    message: string
    supply?: string
    option?: string
    role?: string
    expected?: string
    actual?: string
    count: number
    sockets: string[]
  }[]
  problems: string[]
  unknowns: string[]
  warnings: string[]
}

export function checkResultJson(result: CheckResult): CheckResultJson {
  return {
    status: result.status,
    ok: result.ok,
    target: result.target,
    expectations: result.expectations.map((e) => ({ option: e.option, role: e.role, expected: formatOptionValue(e.option, e.expected) })),
    listeners: result.listeners.length,
    connections: result.connections.length,
    judged: result.judged,
    findings: result.findings.map(({ entries, expected, actual, ...rest }) => ({
      ...rest,
      ...(expected === undefined || rest.option === undefined ? {} : { expected: formatOptionValue(rest.option, expected) }),
      ...(actual === undefined || rest.option === undefined ? {} : { actual: formatOptionValue(rest.option, actual) }),
      count: entries.length,
      sockets: entries.slice(0, JSON_SOCKETS).map(describeSocket),
    })),
    problems: result.problems,
    unknowns: result.unknowns,
    warnings: result.warnings,
  }
}

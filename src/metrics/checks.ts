// The collector's checks: each configured check (checkSockets' SocketCheck) judged at
// every scrape through the same evaluation as the library and `knetstat check`, and
// exported as knetstat_check_status{check, status}.
import { normalizeCheck, type NormalizedCheck, type SocketCheck } from '../health/check-spec.js'
import { evaluateCheck, type CheckStatus } from '../health/evaluate.js'
import type { SocketEntry } from '../model.js'
import type { ListQuery } from '../query.js'
import type { Series } from './series.js'
import { listWithTimeout } from './timeout.js'

const STATUSES: readonly CheckStatus[] = ['ok', 'fail', 'unknown']

/** Check name -> check, as SocketMetricsOptions.checks gives them; a TypeError names a bad one. */
export function normalizeChecks(checks: unknown): [string, NormalizedCheck][] {
  if (checks === undefined) return []
  if (checks === null || typeof checks !== 'object' || Array.isArray(checks)) {
    throw new TypeError("checks must be an object of name -> check, e.g. { postgres: { port: 5432, expect: ['TCP_NODELAY=1'] } }")
  }
  return Object.entries(checks as Record<string, SocketCheck>).map(([name, check]) => {
    if (name === '' || name.length > 128) throw new TypeError(`checks: a check's name is its label value: 1 to 128 characters, got ${JSON.stringify(name.slice(0, 140))}`)
    return [name, normalizeCheck(check, `checks.${name}`)]
  })
}

/** Every check's status series: 1 for its verdict, 0 for the others; a listing that fails or times out is 'unknown'. */
export async function checkSeries(
  checks: readonly [string, NormalizedCheck][],
  list: (query: ListQuery) => Promise<SocketEntry[]>,
  timeoutMs: number,
): Promise<Series> {
  const verdicts = await Promise.all(
    checks.map(async ([name, check]): Promise<[string, CheckStatus]> => {
      try {
        return [name, evaluateCheck(check, await listWithTimeout(list, check.query, timeoutMs)).status]
      } catch {
        return [name, 'unknown']
      }
    }),
  )
  return verdicts.flatMap(([check, verdict]) => STATUSES.map((status): Series[number] => [{ check, status }, status === verdict ? 1 : 0]))
}

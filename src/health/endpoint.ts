// A health endpoint for a service's own HTTP server: the check's verdict as 200 or
// 503 with JSON, listing at most once per interval however often it is probed, so
// that probes on a host with 100,000 sockets never turn into a dump per request.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { listSockets } from '../list.js'
import type { SocketEntry } from '../model.js'
import type { ListQuery } from '../query.js'
import { checkResultJson, runCheck, type CheckResultJson } from './check.js'
import { normalizeCheck, type SocketCheck } from './check-spec.js'
import type { CheckResult } from './evaluate.js'

export interface HealthCheckOptions {
  /** The shortest time between two listings, in ms (default 10000). Probes within it get the last verdict. */
  intervalMs?: number
  /** The listing function (default listSockets). */
  list?: (query: ListQuery) => Promise<SocketEntry[]>
}

/** What the endpoint answers: the result's JSON form with when it was made, or why there is none. */
export type HealthBody =
  | (CheckResultJson & { checkedAt: string })
  | { status: 'unknown'; ok: false; checkedAt: string; error: { code: string | null; message: string } }

export interface HealthCheck {
  /** The latest verdict: a new listing only when the last one started intervalMs ago or more; concurrent callers share one. */
  result(): Promise<CheckResult>
  /** The latest verdict as the endpoint's HTTP status and body: 200 when ok; 503 when failed, unknown, or the listing failed. */
  response(): Promise<{ statusCode: 200 | 503; body: HealthBody }>
  /** A node:http handler answering every request with response() as JSON (HEAD: no body). */
  handler(req: IncomingMessage, res: ServerResponse): void
}

export const DEFAULT_HEALTH_INTERVAL_MS = 10_000

/** `createHealthCheck({ port: 8080, expect: ['TCP_NODELAY=1'] })`: a TypeError for a bad check or option, now rather than per probe. */
export function createHealthCheck(check: SocketCheck, options: HealthCheckOptions = {}): HealthCheck {
  const normalized = normalizeCheck(check, 'createHealthCheck')
  const intervalMs = options.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 0) throw new TypeError(`createHealthCheck: intervalMs must be a non-negative integer (ms), got ${String(intervalMs)}`)
  const list = options.list ?? listSockets
  if (typeof list !== 'function') throw new TypeError('createHealthCheck: list must be a function (query) => Promise<SocketEntry[]>')

  let last: { startedAt: number; checkedAt: Date; promise: Promise<CheckResult> } | null = null
  const result = (): Promise<CheckResult> => {
    const now = performance.now()
    if (last === null || now - last.startedAt >= intervalMs) {
      const promise = runCheck(normalized, list)
      const current = { startedAt: now, checkedAt: new Date(), promise }
      last = current
      // A failed listing is the verdict for its interval too: retrying on every probe would list on every probe.
      promise.catch(() => {})
    }
    return last.promise
  }
  const response = async (): Promise<{ statusCode: 200 | 503; body: HealthBody }> => {
    const promise = result()
    const checkedAt = (last as NonNullable<typeof last>).checkedAt.toISOString()
    try {
      const r = await promise
      return { statusCode: r.ok ? 200 : 503, body: { ...checkResultJson(r), checkedAt } }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code
      const message = error instanceof Error ? error.message : String(error)
      return { statusCode: 503, body: { status: 'unknown', ok: false, checkedAt, error: { code: typeof code === 'string' ? code : null, message: `cannot list sockets: ${message}` } } }
    }
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    response().then(
      ({ statusCode, body }) => {
        const text = `${JSON.stringify(body, null, 2)}\n`
        res.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
        res.end(req.method === 'HEAD' ? undefined : text)
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(`health check failed: ${error instanceof Error ? error.message : String(error)}\n`)
      },
    )
  }
  return { result, response, handler }
}

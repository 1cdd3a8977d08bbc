// A scrape's listing, bounded in time: one listing that never ends must not hold every
// later scrape, which would all wait for it.
import type { SocketEntry } from '../model.js'
import type { ListQuery } from '../query.js'

/**
 * `list(query)`, bounded by `timeoutMs`: its signal is aborted then (with the query's
 * own signal forwarded), and a `list` that ignores the signal is not waited for. Past
 * the time it rejects with an Error whose code is 'ETIMEDOUT'.
 */
export async function listWithTimeout(
  list: (query: ListQuery) => Promise<SocketEntry[]>,
  query: ListQuery,
  timeoutMs: number,
): Promise<SocketEntry[]> {
  const controller = new AbortController()
  const timedOut = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
  })
  const timer = setTimeout(() => {
    const error = new Error(`the socket listing took longer than ${timeoutMs} ms (timeoutMs); this scrape answers without it`)
    controller.abort(Object.assign(error, { code: 'ETIMEDOUT' }))
  }, timeoutMs)
  const own = query.signal
  const forward = (): void => controller.abort(own?.reason)
  own?.addEventListener('abort', forward, { once: true })
  if (own?.aborted === true) forward()
  try {
    return await Promise.race([list({ ...query, signal: controller.signal }), timedOut])
  } finally {
    clearTimeout(timer)
    own?.removeEventListener('abort', forward)
  }
}

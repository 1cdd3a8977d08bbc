// listSockets: the library's main job.
import type { SocketEntry } from './model.js'
import { runListing } from './listing.js'
import type { ListInternals } from './plan.js'
import { normalizeQuery, type ListQuery } from './query.js'

export type { ListInternals } from './plan.js'

/**
 * Lists the host's TCP and UDP sockets (of the caller's network namespace) over
 * netlink sock_diag, in the order tcp4, tcp6, udp4, udp6, with their options (from
 * the knetstat kernel module's files when it is loaded, else pidfd_getfd + getsockopt
 * where permitted; see `options`) and, when asked, the
 * processes holding them. Throws a TypeError for a bad query; rejects with an Error
 * carrying `code`, `errno` and `syscall` when the kernel refuses the dump. A socket
 * whose options cannot be read has `options: null` and `optionsError`; it never
 * fails the listing.
 */
export async function listSockets(query?: ListQuery): Promise<SocketEntry[]> {
  return listSocketsWith(query, {})
}

/** listSockets with internal knobs (tests point the module source at another directory). */
export async function listSocketsWith(query: ListQuery | undefined, internals: ListInternals): Promise<SocketEntry[]> {
  const normalized = normalizeQuery(query)
  normalized.signal?.throwIfAborted()
  // Collected: the plan hands out the whole table (of each namespace) as one batch.
  const batches: SocketEntry[][] = []
  for await (const batch of runListing(normalized, internals, { batches: false })) batches.push(batch)
  // Work after the dump (options, processes) ends here too once the signal fires.
  normalized.signal?.throwIfAborted()
  return batches.length === 1 ? (batches[0] as SocketEntry[]) : batches.flat()
}

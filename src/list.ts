// listSockets: the library's main job.
import type { SocketEntry } from './model.js'
import { normalizeQuery, type ListQuery } from './query.js'
import { listFromNetlink } from './sources/netlink.js'

/**
 * Lists the host's TCP and UDP sockets (of the caller's network namespace) over
 * netlink sock_diag, in the order tcp4, tcp6, udp4, udp6. Throws a TypeError for a
 * bad query; rejects with an Error carrying `code`, `errno` and `syscall` when the
 * kernel refuses the dump.
 */
export async function listSockets(query?: ListQuery): Promise<SocketEntry[]> {
  const normalized = normalizeQuery(query)
  return listFromNetlink(normalized)
}

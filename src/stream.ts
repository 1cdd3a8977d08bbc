// streamSockets: the sockets of listSockets, yielded as the netlink dump arrives.
import type { SocketEntry } from './model.js'
import { runListing } from './listing.js'
import type { ListInternals } from './plan.js'
import { normalizeQuery, type ListQuery, type NormalizedQuery } from './query.js'

/**
 * The sockets `listSockets(query)` lists, as an async iterable that yields each entry
 * as the kernel's dump arrives, in the same order and shape:
 *
 * ```ts
 * for await (const socket of streamSockets({ proto: 'tcp', state: 'ESTABLISHED' })) { … }
 * ```
 *
 * Memory stays bounded whatever the number of sockets: entries are decoded a batch
 * (about 128 KiB of records) at a time, one batch is read ahead on a worker thread,
 * and the kernel continues its dump only as batches are read, so a slow consumer
 * slows the dump down instead of making the process buffer the table. Leaving the
 * loop early (`break`, `return`, a throw) closes the netlink socket.
 *
 * Throws a TypeError at once for a bad query. A socket is yielded once: the kernel
 * may send a socket twice when sockets come and go during the dump, and the repeat is
 * dropped by its cookie (the cookies seen are kept until the stream ends, 8 to 16
 * bytes a socket). A stream is not a snapshot: a socket that comes or goes during the
 * dump may be missing (as with `ss`; docs/native.md, "Consistency under churn"), and
 * unlike listSockets it does not read a dump the kernel flagged interrupted again. With
 * `options` or `processes`, the /proc scan runs once, beside the first reads of the
 * dump. The bpf source joins each batch to the socket iterator's records read a part
 * at a time beside it (bounded too; a socket it misses goes to pidfd under 'auto').
 * The module's options are joined to a whole table: `options: 'module'` throws, and
 * with 'auto' and the module loaded the stream is a full listing yielded entry by
 * entry; pass `options: false`, 'bpf' or 'pidfd' to stream in bounded memory.
 */
export function streamSockets(query?: ListQuery): AsyncIterableIterator<SocketEntry> {
  return streamSocketsWith(query, {})
}

/** streamSockets with internal knobs (tests point the module source at another directory). */
export function streamSocketsWith(query: ListQuery | undefined, internals: ListInternals): AsyncIterableIterator<SocketEntry> {
  const normalized = normalizeQuery(query)
  if (normalized.options === 'module' && normalized.procNet === null) {
    throw new TypeError("streamSockets: options 'module' is not supported by streamSockets (the module's files are joined to a whole listing); use listSockets, or options 'bpf', 'pidfd' or false")
  }
  return stream(normalized, { ...internals, stream: true })
}

async function* stream(query: NormalizedQuery, internals: ListInternals): AsyncGenerator<SocketEntry, void, undefined> {
  // Yielded: batch by batch when the plan is bounded, else the whole table entry by entry.
  for await (const batch of runListing(query, internals, { batches: true })) {
    for (const entry of batch) {
      // Between entries too: a whole table (a recording, the module's join) is one batch.
      query.signal?.throwIfAborted()
      yield entry
    }
  }
}

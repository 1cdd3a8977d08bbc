// streamSockets: the sockets of listSockets, yielded as the netlink dump arrives.
import type { SocketEntry } from './model.js'
import { normalizeQuery, type ListQuery, type NormalizedQuery } from './query.js'
import { netlinkBatches, STREAM_BATCH_BYTES } from './sources/netlink/index.js'
import { fillOptionsFromPidfd, readSysctlDefaults } from './sources/pidfd.js'
import { attachProcesses, hasPidfdSupport, scanProcesses, STALE_BINARY_MESSAGE } from './sources/processes.js'
import { listFromReplay } from './sources/replay.js'
import { moduleFilesPresent } from './sources/module.js'
import { listSockets } from './list.js'

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
 * `options` or `processes`, the /proc scan runs once, before the first entry. The
 * module's options are joined to a whole table: `options: 'module'` throws, and with
 * 'auto' and the module loaded the stream is a full listing yielded entry by entry;
 * pass `options: false` or 'pidfd' to stream in bounded memory.
 */
export function streamSockets(query?: ListQuery): AsyncIterableIterator<SocketEntry> {
  const normalized = normalizeQuery(query)
  if (normalized.options === 'module' && normalized.procNet === null) {
    throw new TypeError("streamSockets: options 'module' is not supported by streamSockets (the module's files are joined to a whole listing); use listSockets, or options 'pidfd' or false")
  }
  return stream(normalized, query)
}

async function* stream(query: NormalizedQuery, raw: ListQuery | undefined): AsyncGenerator<SocketEntry, void, undefined> {
  if (query.options === 'auto' && query.procNet === null && (await moduleFilesPresent())) {
    // 'auto' prefers the module, whose options are joined to the whole table at once
    // (src/sources/module.ts): this stream is then a listing yielded entry by entry.
    yield* await listSockets(raw)
    return
  }
  if (query.procNet !== null) {
    // The signal is honoured while the recording is read, and between entries after.
    for (const entry of await listFromReplay(query, query.procNet)) {
      query.signal?.throwIfAborted()
      yield entry
    }
    return
  }
  const wantOptions = query.options !== false
  const staleBinary = query.options === 'auto' && !query.processes && !hasPidfdSupport()
  const needScan = (wantOptions || query.processes) && !staleBinary
  // The /proc scan runs beside the first reads of the dump.
  const scanning = needScan ? scanProcesses() : null
  const defaults = needScan && wantOptions ? readSysctlDefaults() : null
  // Settle an unused rejection if the consumer stops before the first batch.
  scanning?.catch(() => undefined)
  defaults?.catch(() => undefined)
  for await (const batch of netlinkBatches(query, { batchBytes: STREAM_BATCH_BYTES })) {
    if (staleBinary) {
      for (const entry of batch) entry.optionsError = { code: 'ERR_KNETSTAT_NATIVE_LOAD', message: STALE_BINARY_MESSAGE }
    } else if (scanning !== null) {
      const scan = await scanning
      if (query.processes) await attachProcesses(batch, scan)
      if (wantOptions) await fillOptionsFromPidfd(batch, scan, (await defaults) ?? undefined)
    }
    yield* batch
  }
}

// The netlink source's pass over one dump: the query's requests read through the
// addon's pull-based cursor and decoded batch by batch into SocketEntry objects, as
// the consumer asks for them. streamSockets yields these batches; listFromNetlink
// (list.ts) collects them.
//
// Each socket is listed once: the decoder drops a socket the dump repeats (same
// cookie), which inet_diag does under churn without flagging the dump (EntryDecoder).
//
// Why a cursor: the kernel fills the next dump datagrams only as they are read, so
// reading a batch only when the consumer wants one bounds memory by one batch (plus
// the one being read ahead and the netlink socket's receive queue), whatever the
// socket count, and a slow consumer slows the dump instead of growing a buffer.
import type { DumpCursorBatch, NativeBinding } from '../../../types/binding.js'
import type { SocketEntry } from '../../model.js'
import type { NormalizedQuery } from '../../query.js'
import { alignedViews } from './aligned-views.js'
import { netlinkBinding } from './binding.js'
import { dumpCounters } from './counters.js'
import { EntryDecoder } from './entries.js'
import { dumpRequests, entryOptions } from './requests.js'

/** How a netlink listing reads. */
export interface NetlinkReadOptions {
  /** Bytes of records one native read collects (about 400 bytes a TCP socket with tcp_info). */
  batchBytes?: number
  /** Most entries decoded between two yields. */
  sliceRecords?: number
  /** The cursor functions to dump with (tests script interrupted dumps); default the addon's. */
  binding?: DumpCursorBinding
  /** A descriptor of the network namespace to dump (default: the caller's). */
  netnsFd?: number
}

/** What a netlink listing needs of the addon. */
export type DumpCursorBinding = Pick<NativeBinding, 'openDumpCursor' | 'readDumpCursor' | 'closeDumpCursor'>

/** What one pass of netlinkBatches saw, beyond its entries. */
export interface DumpState {
  /** The kernel flagged some message NLM_F_DUMP_INTR (the tables changed during the dump). */
  interrupted: boolean
  /** Records dropped as repeats of a socket the dump had sent already (same cookie). */
  duplicates?: number
}

/** Streaming: small batches, so little is held while the consumer works. */
export const STREAM_BATCH_BYTES = 128 * 1024
/** Decoding ~1000 records takes well under a millisecond: the event loop is never held long. */
const SLICE_RECORDS = 1024
/** Longest run of decoding between two turns of the event loop. */
const TURN_EVERY_MS = 3

/**
 * The query's entries, batch by batch as the dump arrives. One native read runs
 * ahead of the consumer; breaking out closes the netlink socket. A socket is yielded
 * once however often the dump repeats it (`state.duplicates` counts the repeats
 * dropped); `state.interrupted` is set when the kernel flagged a dump NLM_F_DUMP_INTR
 * (the tables changed during it).
 */
export async function* netlinkBatches(
  query: NormalizedQuery,
  read: NetlinkReadOptions = {},
  state: DumpState = { interrupted: false },
): AsyncGenerator<SocketEntry[], void, undefined> {
  const requests = dumpRequests(query)
  if (requests.length === 0) return
  const batchBytes = read.batchBytes ?? STREAM_BATCH_BYTES
  const slice = read.sliceRecords ?? SLICE_RECORDS
  const decoder = new EntryDecoder(entryOptions(query))
  const binding = read.binding ?? netlinkBinding()
  const handle = read.netnsFd === undefined ? binding.openDumpCursor(requests) : binding.openDumpCursor(requests, read.netnsFd)
  let pending: Promise<DumpCursorBatch> | null = binding.readDumpCursor(handle, batchBytes)
  let finished = false
  let lastTurn = performance.now()
  try {
    while (pending !== null) {
      const batch: DumpCursorBatch = await unlessAborted(pending, query.signal)
      pending = null
      // A cursor that reports done has closed its socket already.
      finished = batch.done
      // Read the next batch on a worker thread while this one is decoded and consumed.
      if (!batch.done) pending = binding.readDumpCursor(handle, batchBytes)
      if (batch.interrupted) state.interrupted = true
      const records = batch.records
      if (records.byteLength === 0) continue
      const views = alignedViews(records)
      let at = 0
      while (at < records.byteLength) {
        const chunk = decoder.decode(views.u8, at, slice, views)
        at = chunk.next
        query.signal?.throwIfAborted()
        if (chunk.entries.length > 0) yield chunk.entries
        // A batch read ahead is often ready before this one is decoded, and awaiting a
        // settled promise does not give the event loop a turn: give it one.
        if (performance.now() - lastTurn > TURN_EVERY_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve))
          lastTurn = performance.now()
        }
      }
    }
  } finally {
    state.duplicates = decoder.duplicates
    dumpCounters.dumps++
    dumpCounters.duplicates += decoder.duplicates
    if (state.interrupted) dumpCounters.interrupted++
    // A read in flight owns the cursor: let it finish (its error no longer matters).
    if (pending !== null) await (pending as Promise<DumpCursorBatch>).catch(() => undefined)
    if (!finished) await binding.closeDumpCursor(handle)
  }
}

/** `promise`, or the signal's reason as soon as it aborts. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | null): Promise<T> {
  if (signal === null) return promise
  signal.throwIfAborted()
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

// The netlink source: one sock_diag dump per wanted table, read through a pull-based
// native cursor and decoded batch by batch into SocketEntry objects. This is the
// socket list every listing starts from; streamSockets yields its batches as they
// arrive, listSockets collects them.
//
// Each socket is listed once: the decoder drops a socket the dump repeats (same
// cookie), which inet_diag does under churn without flagging the dump (EntryDecoder).
//
// Why a cursor: the kernel fills the next dump datagrams only as they are read, so
// reading a batch only when the consumer wants one bounds memory by one batch (plus
// the one being read ahead and the netlink socket's receive queue), whatever the
// socket count, and a slow consumer slows the dump instead of growing a buffer.
import type { DumpCursorBatch, DumpRequest, NativeBinding } from '../../types/binding.js'
import type { SocketEntry, TcpState } from '../model.js'
import { alignedViews } from '../native/aligned-views.js'
import { compileFilter } from '../native/bytecode.js'
import { AF_INET, AF_INET6, ALL_STATES, extensionBit, INET_DIAG, IPPROTO_TCP, IPPROTO_UDP, stateMask, TCP_STATE } from '../native/constants.js'
import { EntryDecoder, type EntryOptions } from '../native/entries.js'
import { loadBinding } from '../native/load.js'
import type { NormalizedQuery } from '../query.js'

/** How a netlink listing reads. */
export interface NetlinkReadOptions {
  /** Bytes of records one native read collects (about 400 bytes a TCP socket with tcp_info). */
  batchBytes?: number
  /** Most entries decoded between two yields. */
  sliceRecords?: number
  /** The cursor functions to dump with (tests script interrupted dumps); default the addon's. */
  binding?: DumpCursorBinding
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

/**
 * Totals of this thread's netlink dumps since it loaded knetstat, for tests and
 * debugging: repeats dropped (the kernel sent a socket twice in one dump),
 * interrupted passes, and listings read again because of one. Not part of the API.
 */
export const dumpCounters = { dumps: 0, duplicates: 0, interrupted: 0, listRetries: 0 }

/** Listing: bigger batches, fewer round trips. */
const LIST_BATCH_BYTES = 512 * 1024
/** Streaming: small batches, so little is held while the consumer works. */
export const STREAM_BATCH_BYTES = 128 * 1024
/** Decoding ~1000 records takes well under a millisecond: the event loop is never held long. */
const SLICE_RECORDS = 1024
/** Longest run of decoding between two turns of the event loop. */
const TURN_EVERY_MS = 3
/**
 * A listing whose dump the kernel flagged NLM_F_DUMP_INTR is read again: this many
 * reads at most. (inet_diag, which dumps TCP and UDP, does not flag its dumps as of
 * Linux 6.18, repeats and skips included; the check keeps any kernel that does honest.)
 */
export const MAX_LIST_ATTEMPTS = 5

/** Dumps the tables the query names, in the order tcp4, tcp6, udp4, udp6. */
export async function listFromNetlink(query: NormalizedQuery, read: NetlinkReadOptions = {}): Promise<SocketEntry[]> {
  for (let attempt = 1; ; attempt++) {
    const entries: SocketEntry[] = []
    const state: DumpState = { interrupted: false }
    // The both-families TCP dump comes in the kernel's hash order, IPv4 and IPv6
    // mixed: keep each table's entries apart to list them tcp4, tcp6, udp4, udp6.
    const tcp6: SocketEntry[] = []
    for await (const batch of netlinkBatches(query, { batchBytes: LIST_BATCH_BYTES, ...read }, state)) {
      for (let i = 0; i < batch.length; i++) {
        const entry = batch[i] as SocketEntry
        if (entry.family === 6 && entry.proto === 'tcp') tcp6.push(entry)
        else {
          if (tcp6.length > 0 && entry.proto === 'udp') flush(entries, tcp6)
          entries.push(entry)
        }
      }
    }
    flush(entries, tcp6)
    // A dump the kernel flagged interrupted may miss sockets (the tables changed under
    // it): read it again; the cursor only reports the flag. inet_diag never flags its
    // dumps, though (docs/native.md, "Consistency under churn"): repeats are dropped
    // above, and a socket that comes or goes during the dump may be missing whatever the flag.
    if (!state.interrupted) return entries
    if (attempt >= MAX_LIST_ATTEMPTS) {
      throw Object.assign(
        new Error(`netlink sock_diag dump was interrupted (NLM_F_DUMP_INTR) on ${MAX_LIST_ATTEMPTS} attempts in a row: the socket tables kept changing; try again`),
        { code: 'EINTR', errno: -4, syscall: 'recvmsg' },
      )
    }
    dumpCounters.listRetries++
  }
}

function flush(entries: SocketEntry[], held: SocketEntry[]): void {
  for (let i = 0; i < held.length; i++) entries.push(held[i] as SocketEntry)
  held.length = 0
}

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
  const binding = read.binding ?? loadBinding()
  const handle = binding.openDumpCursor(requests)
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

export function entryOptions(query: NormalizedQuery): EntryOptions {
  return {
    tcpInfo: query.tcpInfo,
    stateMask: query.states === null ? ALL_STATES : stateMask(stateNumbers(query.states)),
    localPorts: query.localPorts,
    remotePorts: query.remotePorts,
    ports: query.ports,
    localAddresses: query.localAddresses,
    remoteAddresses: query.remoteAddresses,
    addresses: query.addresses,
  }
}

/**
 * The dumps of a query: one per table, with the state mask and the filter program
 * (INET_DIAG_REQ_BYTECODE) for its ports and addresses; a table no socket of which
 * can match (an IPv6 address on the IPv4 table) is not dumped.
 */
export function dumpRequests(query: NormalizedQuery): DumpRequest[] {
  const states = query.states === null ? ALL_STATES : stateMask(stateNumbers(query.states))
  const requests: DumpRequest[] = []
  for (const proto of query.protos) {
    const protocol = proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP
    let extensions = extensionBit(INET_DIAG.SKMEMINFO) | extensionBit(INET_DIAG.TOS) | extensionBit(INET_DIAG.TCLASS)
    if (proto === 'tcp' && query.tcpInfo) extensions |= extensionBit(INET_DIAG.INFO) | extensionBit(INET_DIAG.CONG)
    // Both families of TCP in one walk of the kernel's tables (family 0: the cursor's
    // TCPDIAG_GETSOCK request); UDP has no such request.
    const families: (4 | 6 | 0)[] = proto === 'tcp' && query.families.length === 2 ? [0] : query.families
    for (const family of families) {
      const bytecode = compileFilter(query, family)
      if (bytecode === 'none') continue
      const request: DumpRequest = { family: family === 0 ? 0 : family === 4 ? AF_INET : AF_INET6, protocol, states, extensions }
      if (bytecode !== null) request.bytecode = bytecode
      requests.push(request)
    }
  }
  return requests
}

function stateNumbers(states: Set<TcpState>): number[] {
  const numbers = [...states].map((state) => TCP_STATE[state])
  // Connection requests live as NEW_SYN_RECV minisockets but are reported as SYN_RECV.
  if (states.has('SYN_RECV')) numbers.push(TCP_STATE.NEW_SYN_RECV)
  return numbers
}


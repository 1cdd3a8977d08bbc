// The netlink source's listing: the query's entries as one array, in the order
// tcp4, tcp6, udp4, udp6, read again when the kernel flagged the dump interrupted.
import type { SocketEntry } from '../../model.js'
import type { NormalizedQuery } from '../../query.js'
import { type DumpState, type NetlinkReadOptions, netlinkBatches } from './batches.js'
import { dumpCounters } from './counters.js'

/** Listing: bigger batches than a stream's, fewer round trips. */
const LIST_BATCH_BYTES = 512 * 1024
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
    // dumps, though (docs/native.md, "Consistency under churn"): repeats are dropped by
    // the decoder, and a socket that comes or goes during the dump may be missing
    // whatever the flag.
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

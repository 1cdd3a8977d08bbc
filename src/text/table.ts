import type { Family, Proto, SocketEntry } from '../model.js'

/**
 * What parseKnetstat returns: the entries, plus which table they came from (kept off
 * the enumerable properties, so the array looks like any other). formatKnetstat reads
 * `proto` from it, so even a table with no sockets formats back to its own header.
 */
export interface KnetstatTable extends Array<SocketEntry> {
  readonly proto: Proto
  /** From the addresses, else the hint; null for an empty table without a hint. */
  readonly family: Family | null
}

export function makeTable(entries: SocketEntry[], proto: Proto, family: Family | null): KnetstatTable {
  return Object.defineProperties(entries, {
    proto: { value: proto, enumerable: false },
    family: { value: family, enumerable: false },
  }) as KnetstatTable
}

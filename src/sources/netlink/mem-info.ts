// INET_DIAG_SKMEMINFO: the socket's memory counters (SK_MEMINFO_*), in bytes except
// drops. An entry the kernel did not send is null.
export interface SocketMemInfo {
  /** SK_MEMINFO_RMEM_ALLOC: receive queue memory in use. */
  rmemAlloc: number | null
  /** SK_MEMINFO_RCVBUF: receive buffer limit. */
  rcvbuf: number | null
  /** SK_MEMINFO_WMEM_ALLOC: transmit memory in use (in flight to the device). */
  wmemAlloc: number | null
  /** SK_MEMINFO_SNDBUF: send buffer limit. */
  sndbuf: number | null
  /** SK_MEMINFO_FWD_ALLOC: memory reserved ahead. */
  fwdAlloc: number | null
  /** SK_MEMINFO_WMEM_QUEUED: send queue memory. */
  wmemQueued: number | null
  /** SK_MEMINFO_OPTMEM: option/ancillary memory. */
  optmem: number | null
  /** SK_MEMINFO_BACKLOG: backlog queue bytes. */
  backlog: number | null
  /** SK_MEMINFO_DROPS: packets dropped (Linux ≥ 4.0). */
  drops: number | null
}

/** Reads `count` u32 entries starting at u32 index `index` of `words` (the record keeps up to 9). */
export function readMemInfo(words: Uint32Array, index: number, count: number): SocketMemInfo {
  const at = (entry: number): number | null => (entry < count ? (words[index + entry] as number) : null)
  return {
    rmemAlloc: at(0),
    rcvbuf: at(1),
    wmemAlloc: at(2),
    sndbuf: at(3),
    fwdAlloc: at(4),
    wmemQueued: at(5),
    optmem: at(6),
    backlog: at(7),
    drops: at(8),
  }
}

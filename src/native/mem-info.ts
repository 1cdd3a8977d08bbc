// INET_DIAG_SKMEMINFO: the socket's memory counters (SK_MEMINFO_*), in bytes except
// drops. An entry the kernel did not send is null.
import { HOST_LITTLE_ENDIAN } from './bitfield.js'

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

/** Decodes `count` u32 entries at `offset` (the record keeps up to 9). */
export function decodeMemInfo(view: DataView, offset: number, count: number): SocketMemInfo {
  const at = (index: number): number | null =>
    index < count ? view.getUint32(offset + 4 * index, HOST_LITTLE_ENDIAN) : null
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

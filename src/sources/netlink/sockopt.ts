// struct inet_diag_sockopt (INET_DIAG_SOCKOPT, Linux ≥ 5.10): the inet-level socket
// flags, two bytes of bitfields.
import { bitfield } from './bitfield.js'

export interface DiagSockopt {
  /** IP_RECVERR / IPV6_RECVERR. */
  recverr: boolean
  /** A connection-oriented (inet_connection_sock) socket: TCP, DCCP, … */
  isIcsk: boolean
  /** IP_FREEBIND. */
  freebind: boolean
  /** IP_HDRINCL. */
  hdrincl: boolean
  /** IP_MULTICAST_LOOP. */
  mcLoop: boolean
  /** IP_TRANSPARENT. */
  transparent: boolean
  /** IP_MULTICAST_ALL. */
  mcAll: boolean
  /** IP_NODEFRAG. */
  nodefrag: boolean
  /** IP_BIND_ADDRESS_NO_PORT. */
  bindAddressNoPort: boolean
  /** IP_RECVERR_RFC4884. */
  recverrRfc4884: boolean
  /** TCP_FASTOPEN_CONNECT deferred connect. */
  deferConnect: boolean
}

const bit = (byte: number, index: number): boolean => bitfield(byte, index, 1, 8) === 1

// Nearly every socket of a host has one of a few flag combinations: share one frozen
// object per combination instead of allocating one per socket.
const decoded = new Map<number, Readonly<DiagSockopt>>()

/** The flags of the two raw bytes, as a shared frozen object. */
export function decodeSockopt(first: number, second: number): Readonly<DiagSockopt> {
  const key = (first << 8) | second
  let flags = decoded.get(key)
  if (flags === undefined) {
    flags = Object.freeze(decodeSockoptBits(first, second))
    decoded.set(key, flags)
  }
  return flags
}

function decodeSockoptBits(first: number, second: number): DiagSockopt {
  return {
    recverr: bit(first, 0),
    isIcsk: bit(first, 1),
    freebind: bit(first, 2),
    hdrincl: bit(first, 3),
    mcLoop: bit(first, 4),
    transparent: bit(first, 5),
    mcAll: bit(first, 6),
    nodefrag: bit(first, 7),
    bindAddressNoPort: bit(second, 0),
    recverrRfc4884: bit(second, 1),
    deferConnect: bit(second, 2),
  }
}

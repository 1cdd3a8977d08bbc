// The port and address conditions of a query, and the one rule that decides whether
// a socket meets them. The kernel runs the same conditions compiled to a filter
// program (src/sources/netlink/bytecode.ts); every source checks its sockets here,
// so a result is exact whatever the kernel did: the netlink decoder on record bytes,
// the replay source on recorded text.
import { parseIPv4, parseIPv6 } from './address.js'

/** An inclusive port range. */
export interface PortRange {
  from: number
  to: number
}

/** An address, or a network: `prefixLength` leading bits of `bytes` (network order). */
export interface AddressPrefix {
  family: 4 | 6
  bytes: Uint8Array
  prefixLength: number
}

/** What a query can filter on; every field null means "no condition". */
export interface SocketFilter {
  localPorts: readonly PortRange[] | null
  remotePorts: readonly PortRange[] | null
  /** Local or remote port. */
  ports: readonly PortRange[] | null
  localAddresses: readonly AddressPrefix[] | null
  remoteAddresses: readonly AddressPrefix[] | null
  /** Local or remote address. */
  addresses: readonly AddressPrefix[] | null
}

/** The filter without conditions: every socket matches. */
export const NO_CONDITIONS: Readonly<SocketFilter> = Object.freeze({
  localPorts: null,
  remotePorts: null,
  ports: null,
  localAddresses: null,
  remoteAddresses: null,
  addresses: null,
})

/** Whether the filter has any condition at all. */
export function hasConditions(filter: SocketFilter): boolean {
  return (
    filter.localPorts !== null ||
    filter.remotePorts !== null ||
    filter.ports !== null ||
    filter.localAddresses !== null ||
    filter.remoteAddresses !== null ||
    filter.addresses !== null
  )
}

/**
 * Parses `1.2.3.4`, `10.0.0.0/8`, `::1`, `fd00::/8`: an address of either family with
 * an optional prefix length (default: the whole address). Null when it is not one.
 */
export function parseAddressPrefix(text: string): AddressPrefix | null {
  const slash = text.indexOf('/')
  const address = slash === -1 ? text : text.slice(0, slash)
  const v4 = parseIPv4(address)
  const bytes = v4 ?? (address.includes(':') ? parseIPv6(address) : null)
  if (bytes === null) return null
  const bits = bytes.length * 8
  let prefixLength = bits
  if (slash !== -1) {
    const length = text.slice(slash + 1)
    if (!/^(0|[1-9][0-9]{0,2})$/.test(length) || Number(length) > bits) return null
    prefixLength = Number(length)
  }
  // Bits past the prefix do not count: clear them so equal networks compare equal.
  const masked = bytes.slice()
  for (let bit = prefixLength; bit < bits; bit++) masked[bit >>> 3] = (masked[bit >>> 3] as number) & ~(0x80 >>> (bit & 7))
  return { family: v4 === null ? 6 : 4, bytes: masked, prefixLength }
}

/**
 * Whether the address at `bytes[offset]` (network order, 4 or 16 bytes by `family`)
 * is within `prefix`, by the kernel's rule (inet_diag_bc_run): an IPv4 condition
 * also matches v4-mapped IPv6 (::ffff:a.b.c.d).
 */
export function prefixMatches(prefix: AddressPrefix, family: 4 | 6, bytes: Uint8Array, offset: number): boolean {
  if (prefix.family !== family) {
    if (prefix.family !== 4 || family !== 6) return false
    for (let i = 0; i < 10; i++) if (bytes[offset + i] !== 0) return false
    if (bytes[offset + 10] !== 0xff || bytes[offset + 11] !== 0xff) return false
    offset += 12
  }
  const full = prefix.prefixLength >>> 3
  for (let i = 0; i < full; i++) if (bytes[offset + i] !== prefix.bytes[i]) return false
  const rest = prefix.prefixLength & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((bytes[offset + full] as number) & mask) === (prefix.bytes[full] as number)
}

function portWithin(ranges: readonly PortRange[], port: number): boolean {
  for (const r of ranges) if (port >= r.from && port <= r.to) return true
  return false
}

function anyPrefix(prefixes: readonly AddressPrefix[], family: 4 | 6, bytes: Uint8Array, offset: number): boolean {
  for (const p of prefixes) if (prefixMatches(p, family, bytes, offset)) return true
  return false
}

/**
 * The rule: fields are ANDed, the values of one field ORed; `ports` and `addresses`
 * match either end. Addresses are read from `bytes` (network order) at
 * `localOffset` and `remoteOffset`.
 */
export function matchesFilter(
  filter: SocketFilter,
  family: 4 | 6,
  localPort: number,
  remotePort: number,
  bytes: Uint8Array,
  localOffset: number,
  remoteOffset: number,
): boolean {
  const { localPorts, remotePorts, ports, localAddresses, remoteAddresses, addresses } = filter
  if (localPorts !== null && !portWithin(localPorts, localPort)) return false
  if (remotePorts !== null && !portWithin(remotePorts, remotePort)) return false
  if (ports !== null && !portWithin(ports, localPort) && !portWithin(ports, remotePort)) return false
  if (localAddresses !== null && !anyPrefix(localAddresses, family, bytes, localOffset)) return false
  if (remoteAddresses !== null && !anyPrefix(remoteAddresses, family, bytes, remoteOffset)) return false
  if (addresses !== null && !anyPrefix(addresses, family, bytes, localOffset) && !anyPrefix(addresses, family, bytes, remoteOffset)) {
    return false
  }
  return true
}

/**
 * matchesFilter for addresses given as text (a recording). The parser formats every
 * address it reads, so both parse; one that does not fails any address condition.
 */
export function matchesFilterText(
  filter: SocketFilter,
  family: 4 | 6,
  local: { address: string; port: number },
  remote: { address: string; port: number },
): boolean {
  if (!hasConditions(filter)) return true
  const size = family === 4 ? 4 : 16
  const parse = family === 4 ? parseIPv4 : parseIPv6
  const localBytes = parse(local.address)
  const remoteBytes = parse(remote.address)
  const addressed = filter.localAddresses !== null || filter.remoteAddresses !== null || filter.addresses !== null
  if (addressed && (localBytes === null || remoteBytes === null)) return false
  const bytes = new Uint8Array(2 * size)
  if (localBytes !== null) bytes.set(localBytes, 0)
  if (remoteBytes !== null) bytes.set(remoteBytes, size)
  return matchesFilter(filter, family, local.port, remote.port, bytes, 0, size)
}

// What a check checks, validated once, up front: the target (a service on a local
// port, or outgoing connections to a remote port), the expectations with the role
// each is judged in, and the listing that finds the target's sockets.
import { parseAddressPrefix } from '../filter.js'
import type { Family, Proto } from '../model.js'
import type { ListQuery, OptionsQuery } from '../query.js'
import { didYouMean } from '../util/suggest.js'
import { toExpectations, type Expectations, type OptionValue } from './expect.js'
import { defaultRole, type Role } from './roles.js'
import { DEFAULT_NEARLY_FULL_RATIO } from './summary.js'

/** checkSockets' argument, the command's `check` and the collector's `checks` entries. */
export interface SocketCheck {
  /**
   * The service: its listener(s) on this local port and the connections they
   * accepted. A service with no listener fails; an idle one (no connections) passes.
   */
  port?: number
  /** With `port`: the service's local address; a listener on the wildcard address (0.0.0.0, ::) serves it too. */
  address?: string
  /** Instead of `port`: this host's outgoing connections to this remote port (a client pool). */
  remotePort?: number
  /** With `remotePort`: only connections to this remote address. */
  remoteAddress?: string
  /** 'tcp' (default) or 'udp'. A UDP service's listener is its bound, unconnected socket. */
  proto?: Proto
  /** 4, 6 or both (default both). */
  family?: Family | readonly Family[]
  /**
   * Expected options, each judged where it takes effect (its default role, see
   * docs/health.md): on the listener for SO_REUSEADDR, SO_REUSEPORT, TCP_FASTOPEN,
   * TCP_DEFER_ACCEPT, IPV6_V6ONLY, SO_BINDTODEVICE, IP_FREEBIND and IP_TRANSPARENT;
   * on accepted connections for every other option (on the bound socket for UDP).
   * An object in SocketOptions' units (`{ TCP_NODELAY: true }`) or `NAME=value`
   * texts in knetstat text units (`['TCP_NODELAY=1', 'SO_RCVTIMEO=1500ms']`).
   */
  expect?: Expectations | readonly string[]
  /** Expected options judged on the listener(s), whatever their default role. */
  expectListener?: Expectations | readonly string[]
  /** Expected options judged on the accepted connections (or the outgoing ones), whatever their default role. */
  expectConnections?: Expectations | readonly string[]
  /** A zero window or a stalled ACK on a connection fails the check (default: a warning). */
  noStalled?: boolean
  /**
   * The accept queue limit of listeners whose entry has none (a recording). Give
   * what the service passed to listen() (a Node server: 511, capped by
   * net.core.somaxconn). Without it such a queue is unknown, and so is the check.
   */
  backlog?: number
  /** A listener is nearly full (a warning) when recvQ >= ratio × limit; default 0.8. */
  nearlyFullRatio?: number
  /** Where options come from (listSockets' `options`, default 'auto'); only read when there are expectations. */
  options?: Exclude<OptionsQuery, false>
  /** Check a service in another network namespace (listSockets' `netns`: a name, a path or a pid; not 'all'). */
  netns?: string | number
  /** Check a recording instead of the live host (listSockets' `procNet`). */
  procNet?: ListQuery['procNet']
  /** Aborts the listing. */
  signal?: AbortSignal
}

/** Whose sockets a check judges. */
export interface CheckTarget {
  kind: 'service' | 'outgoing'
  proto: Proto
  /** The service's local port, or the remote port of the outgoing connections. */
  port: number
  address: string | null
}

export interface RoleExpectation {
  option: string
  role: Role
  expected: OptionValue
}

export interface NormalizedCheck {
  target: CheckTarget
  expectations: RoleExpectation[]
  noStalled: boolean
  backlog: number | undefined
  nearlyFullRatio: number
  /** The listing that finds the target's sockets. */
  query: ListQuery
}

const FIELDS = [
  'port',
  'address',
  'remotePort',
  'remoteAddress',
  'proto',
  'family',
  'expect',
  'expectListener',
  'expectConnections',
  'noStalled',
  'backlog',
  'nearlyFullRatio',
  'options',
  'netns',
  'procNet',
  'signal',
] as const

/** Checks a SocketCheck (a TypeError names the first bad field) and fills in its defaults. */
export function normalizeCheck(check: SocketCheck, where = 'checkSockets'): NormalizedCheck {
  if (check === null || typeof check !== 'object' || Array.isArray(check)) throw new TypeError(`${where}: the check must be an object such as { port: 8080, expect: ['TCP_NODELAY=1'] }`)
  for (const key of Object.keys(check)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw new TypeError(`${where}: unknown field ${JSON.stringify(key)}${didYouMean(key, FIELDS)}; a check has ${FIELDS.join(', ')}`)
  }
  const target = targetOf(check, where)
  const expectations = roleExpectations(check, target, where)
  const { noStalled, backlog, nearlyFullRatio, options } = check
  if (noStalled !== undefined && typeof noStalled !== 'boolean') throw new TypeError(`${where}: noStalled must be true or false`)
  if (backlog !== undefined && !(Number.isSafeInteger(backlog) && backlog >= 0)) {
    throw new TypeError(`${where}: backlog must be a non-negative integer (the service's listen() backlog, 511 for a Node server), got ${String(backlog)}`)
  }
  if (nearlyFullRatio !== undefined && !(typeof nearlyFullRatio === 'number' && nearlyFullRatio > 0 && nearlyFullRatio <= 1)) {
    throw new TypeError(`${where}: nearlyFullRatio must be a number in (0, 1], got ${String(nearlyFullRatio)}`)
  }
  if (options !== undefined && !['auto', 'module', 'bpf', 'pidfd'].includes(options as string)) {
    throw new TypeError(`${where}: options must be 'auto', 'module', 'bpf' or 'pidfd', got ${JSON.stringify(options)}`)
  }
  const query: ListQuery = { proto: target.proto, options: expectations.length > 0 ? (options ?? 'auto') : false }
  if (check.family !== undefined) query.family = check.family
  if (check.netns !== undefined) {
    if (check.netns === 'all') throw new TypeError(`${where}: netns 'all' is not a check's target; give the namespace of the service (a name, a path or a pid)`)
    query.netns = check.netns
  }
  if (check.procNet !== undefined) query.procNet = check.procNet
  if (check.signal !== undefined) query.signal = check.signal
  if (target.kind === 'service') {
    query.localPort = target.port
    // A listener on the wildcard address serves the service's address too.
    if (target.address !== null) query.localAddress = [target.address, '0.0.0.0', '::']
  } else {
    query.remotePort = target.port
    if (target.address !== null) query.remoteAddress = target.address
  }
  return { target, expectations, noStalled: noStalled ?? false, backlog, nearlyFullRatio: nearlyFullRatio ?? DEFAULT_NEARLY_FULL_RATIO, query }
}

function targetOf(check: SocketCheck, where: string): CheckTarget {
  const proto = check.proto ?? 'tcp'
  if (proto !== 'tcp' && proto !== 'udp') throw new TypeError(`${where}: proto must be 'tcp' or 'udp', got ${JSON.stringify(proto)}`)
  const service = check.port !== undefined
  if (service === (check.remotePort !== undefined)) {
    throw new TypeError(`${where}: give the service's local port (port: 8080) or, for outgoing connections, their remote port (remotePort: 5432), one of the two`)
  }
  const port = service ? check.port : check.remotePort
  const portField = service ? 'port' : 'remotePort'
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) throw new TypeError(`${where}: ${portField} must be a port 1-65535, got ${String(port)}`)
  if (service && check.remoteAddress !== undefined) throw new TypeError(`${where}: remoteAddress goes with remotePort; a service's own address is address`)
  if (!service && check.address !== undefined) throw new TypeError(`${where}: address goes with port; outgoing connections are narrowed by remoteAddress`)
  const address = service ? check.address : check.remoteAddress
  if (address !== undefined) {
    const prefix = typeof address === 'string' ? parseAddressPrefix(address) : null
    if (prefix === null || address.includes('/')) throw new TypeError(`${where}: ${service ? 'address' : 'remoteAddress'} must be an IPv4 or IPv6 address, got ${JSON.stringify(address)}`)
  }
  return { kind: service ? 'service' : 'outgoing', proto, port: port as number, address: address ?? null }
}

function roleExpectations(check: SocketCheck, target: CheckTarget, where: string): RoleExpectation[] {
  const out: RoleExpectation[] = []
  const add = (field: 'expect' | 'expectListener' | 'expectConnections', role: (option: string) => Role): void => {
    const given = check[field]
    if (given === undefined) return
    for (const [option, expected] of Object.entries(toExpectations(given, `${where}: ${field}`))) out.push({ option, role: role(option), expected })
  }
  if (target.kind === 'outgoing') {
    if (check.expectListener !== undefined) throw new TypeError(`${where}: outgoing connections have no listener; use expect or expectConnections`)
    add('expect', () => 'connections')
    add('expectConnections', () => 'connections')
    return out
  }
  add('expect', (option) => defaultRole(option, target.proto))
  add('expectListener', () => 'listener')
  add('expectConnections', () => 'connections')
  return out
}

/** `tcp port 8080`, `tcp 127.0.0.1:8080`, `outgoing tcp connections to port 5432`: the target in messages. */
export function describeTarget(target: CheckTarget): string {
  const where = target.address === null ? `port ${target.port}` : `${target.address.includes(':') ? `[${target.address}]` : target.address}:${target.port}`
  return target.kind === 'service' ? `${target.proto} service on ${where}` : `outgoing ${target.proto} connections to ${where}`
}

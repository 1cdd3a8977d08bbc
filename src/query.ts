// The listSockets query: validated once, up front, into a normalized form. A bad
// field is a TypeError that names it and lists what is allowed.
import { TCP_STATES, type Family, type Proto, type TcpState } from './model.js'
import { compileFilter, MAX_BYTECODE } from './sources/netlink/index.js'
import { parseAddressPrefix, type AddressPrefix, type PortRange } from './filter.js'
import { checkProcNet, type ProcNet } from './sources/replay/index.js'
import type { NetnsError } from './netns/errors.js'

export type { AddressPrefix }

/** A port, or an inclusive range of ports. */
export type PortMatch = number | { from: number; to: number }

export interface ListQuery {
  /** 'tcp', 'udp' or both (default both). */
  proto?: Proto | readonly Proto[]
  /** 4, 6 or both (default both). */
  family?: Family | readonly Family[]
  /** Kernel state names (default all). UDP sockets are CLOSE (unconnected) or ESTABLISHED (connected). */
  state?: TcpState | readonly TcpState[]
  /** Sockets whose local port matches any of these. */
  localPort?: PortMatch | readonly PortMatch[]
  /** Sockets whose remote port matches any of these. */
  remotePort?: PortMatch | readonly PortMatch[]
  /** Sockets whose local or remote port matches any of these. */
  port?: PortMatch | readonly PortMatch[]
  /**
   * Sockets whose local address is any of these: an address (`'127.0.0.1'`, `'::1'`) or
   * a network (`'10.0.0.0/8'`, `'fd00::/8'`). An IPv4 address or network also matches
   * IPv4-mapped IPv6 sockets (`::ffff:10.1.2.3`), as the kernel's filter does.
   */
  localAddress?: string | readonly string[]
  /** Sockets whose remote address is any of these (as localAddress). */
  remoteAddress?: string | readonly string[]
  /** Sockets whose local or remote address is any of these (as localAddress). */
  address?: string | readonly string[]
  /** Decode tcp_info for TCP sockets (default true); also what the diag flags come from without the module. */
  tcpInfo?: boolean
  /**
   * Where socket options come from: 'auto' (default: the kernel module when its files
   * exist, else the BPF socket iterator when the caller may load it, else pidfd),
   * 'module' (the knetstat kernel module's /proc/net/*stat files: every socket's options
   * and diag flags; rejects with code 'ENOENT' when the module is not loaded), 'bpf' (a
   * BPF program on the kernel's socket iterators, as exact as the module; needs
   * CAP_BPF + CAP_PERFMON or root, BTF, Linux >= 5.9; rejects saying which is missing),
   * 'pidfd' (pidfd_getfd + getsockopt, for processes the caller may ptrace), or false
   * (netlink only: `options` null, no `optionsError`).
   */
  options?: OptionsQuery
  /** List the processes holding each socket in `processes` (default false). */
  processes?: boolean
  /**
   * Say each socket's cgroup in `cgroup` (default false): its cgroup v2 path, from the
   * id the kernel reports, and the container or unit the path names (docker,
   * containerd, CRI-O, podman, Kubernetes pods, LXC, systemd). Needs a cgroup2 mount
   * to resolve ids; without one, a holder's cgroup stands in when `processes` is set.
   */
  cgroup?: boolean
  /**
   * Replay a recording instead of the live kernel: the directory of a recording
   * (tcpstat, tcp6stat, udpstat, udp6stat, any subset; see `knetstat record`) or
   * those texts as strings. `{ path, maxRecordingBytes }` names the directory and
   * raises (or lowers) the size limit of each recorded file (default 128 MiB). Only
   * regular files are read, never through a symlink. Defaults to the
   * KNETSTAT_PROC_NET environment variable when it is set. Fields the text does not
   * carry (uid, inode, tcpInfo) are null.
   */
  procNet?: ProcNet
  /** Aborts the listing: it rejects with the signal's reason (an AbortError) and frees its netlink socket. */
  signal?: AbortSignal
  /**
   * The network namespace to list (default: the caller's): a path to its nsfs file
   * (`'/run/netns/NAME'`, `'/proc/PID/ns/net'`), an `ip netns` name (`'blue'`), the
   * pid of a process in it, or `'all'`: every network namespace on the host (found
   * through processes and bind mounts). Each entry then says its namespace in
   * `netns`. Entering a namespace needs CAP_SYS_ADMIN over it (root). With 'all', a
   * namespace that cannot be read does not fail the listing: it goes to
   * `onNetnsError`, else to a process warning.
   */
  netns?: string | number
  /** With `netns: 'all'`: called with the error of each namespace that could not be read. */
  onNetnsError?: (error: NetnsError) => void
}

/** The network namespace of a query: a name, a path or a pid (src/netns/resolve.ts says which file), or all. */
export type NetnsQuery = string | number

export type OptionsQuery = 'auto' | 'module' | 'bpf' | 'pidfd' | false

export interface NormalizedQuery {
  protos: Proto[]
  families: Family[]
  /** null: every state. */
  states: Set<TcpState> | null
  localPorts: PortRange[] | null
  remotePorts: PortRange[] | null
  ports: PortRange[] | null
  localAddresses: AddressPrefix[] | null
  remoteAddresses: AddressPrefix[] | null
  addresses: AddressPrefix[] | null
  tcpInfo: boolean
  options: OptionsQuery
  processes: boolean
  cgroup: boolean
  /** null: the live kernel. */
  procNet: ProcNet | null
  signal: AbortSignal | null
  /** null: the caller's network namespace. */
  netns: NetnsQuery | null
  onNetnsError: ((error: NetnsError) => void) | null
}

const QUERY_FIELDS = [
  'proto',
  'family',
  'state',
  'localPort',
  'remotePort',
  'port',
  'localAddress',
  'remoteAddress',
  'address',
  'tcpInfo',
  'options',
  'processes',
  'cgroup',
  'procNet',
  'signal',
  'netns',
  'onNetnsError',
] as const
type Field = (typeof QUERY_FIELDS)[number]

/**
 * The most entries a list field may have: more than there are ports. Checked on the
 * array's length before anything is copied, so a huge list costs nothing; the real
 * bound is the size of the kernel filter the lists compile to (MAX_BYTECODE).
 */
export const MAX_LIST_ENTRIES = 65536

/** The environment variable that points every listing at a recording (like ss's PROC_ROOT). */
export const PROC_NET_ENV = 'KNETSTAT_PROC_NET'

export function normalizeQuery(query: ListQuery | undefined): NormalizedQuery {
  if (query === undefined || query === null) query = {}
  if (typeof query !== 'object' || Array.isArray(query)) {
    throw new TypeError(`listSockets: the query must be an object, got ${describe(query)}`)
  }
  for (const key of Object.keys(query)) {
    if (!(QUERY_FIELDS as readonly string[]).includes(key)) {
      throw new TypeError(`listSockets: unknown query field "${key}"; the fields are ${QUERY_FIELDS.join(', ')}`)
    }
  }
  const q = ownFields(query)
  const normalized: NormalizedQuery = {
    protos: oneOrMany('proto', q.proto, ['tcp', 'udp'] as const),
    families: oneOrMany('family', q.family, [4, 6] as const),
    states: q.state === undefined ? null : new Set(oneOrMany('state', q.state, TCP_STATES)),
    localPorts: ports('localPort', q.localPort),
    remotePorts: ports('remotePort', q.remotePort),
    ports: ports('port', q.port),
    localAddresses: prefixes('localAddress', q.localAddress),
    remoteAddresses: prefixes('remoteAddress', q.remoteAddress),
    addresses: prefixes('address', q.address),
    tcpInfo: flag('tcpInfo', q.tcpInfo, true),
    options: optionsQuery(q.options),
    processes: flag('processes', q.processes, false),
    cgroup: flag('cgroup', q.cgroup, false),
    procNet: procNet(q.procNet),
    signal: abortSignal(q.signal),
    netns: netnsQuery(q.netns),
    onNetnsError: callback('onNetnsError', q.onNetnsError),
  }
  checkFilterSize(normalized)
  if (normalized.procNet !== null && normalized.netns !== null) {
    throw new TypeError('listSockets: netns lists a live namespace, and procNet replays a recording; give one of them')
  }
  if (normalized.procNet !== null) {
    if (normalized.options === 'pidfd' || normalized.options === 'bpf') {
      throw new TypeError(`listSockets: options '${normalized.options}' reads the live kernel, and procNet replays a recording; use options 'auto' or false with procNet`)
    }
    if (normalized.processes) throw new TypeError('listSockets: processes: true needs the live host; a recording (procNet) has no processes')
    if (normalized.cgroup) throw new TypeError('listSockets: cgroup: true needs the live host; a recording (procNet) has no cgroups')
  }
  return normalized
}

/** Of the right type; which namespace it names (or why none) is resolveNetnsSpec's to say when the listing starts. */
function netnsQuery(value: unknown): NetnsQuery | null {
  if (value === undefined) return null
  if ((typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) return value
  throw new TypeError(
    `listSockets: netns ${describe(value)} is not a network namespace; use an ip netns name, a path ('/run/netns/NAME', '/proc/PID/ns/net'), a pid, or 'all'`,
  )
}

function callback<T extends (...args: never[]) => unknown>(field: string, value: unknown): T | null {
  if (value === undefined) return null
  if (typeof value !== 'function') throw new TypeError(`listSockets: ${field} must be a function, got ${describe(value)}`)
  return value as T
}

function abortSignal(value: unknown): AbortSignal | null {
  if (value === undefined) return null
  if (!(value instanceof AbortSignal)) throw new TypeError(`listSockets: signal must be an AbortSignal, got ${describe(value)}`)
  return value
}

/**
 * The query's fields as the caller set them, each read once: own properties only, so
 * a field on Object.prototype (`Object.prototype.procNet = …`) is not a field, and a
 * getter cannot give one value to the check and another to the listing.
 */
function ownFields(query: object): { [K in Field]?: unknown } {
  const fields: { [K in Field]?: unknown } = Object.create(null)
  for (const key of QUERY_FIELDS) if (Object.hasOwn(query, key)) fields[key] = (query as Record<string, unknown>)[key]
  return fields
}

/** One value or a list, as a fresh array read once (a hole is undefined, never Array.prototype's). */
function listOf(field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value]
  const length = value.length
  if (length > MAX_LIST_ENTRIES) {
    throw new TypeError(`listSockets: ${field} has ${length} entries, more than the ${MAX_LIST_ENTRIES} allowed; use ranges or fewer entries`)
  }
  const copy: unknown[] = new Array(length)
  for (let i = 0; i < length; i++) copy[i] = Object.hasOwn(value, i) ? value[i] : undefined
  return copy
}

/** An object's own property, read once; undefined when it has none. */
function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined
}

/**
 * Refuses a query whose port and address lists need a bigger kernel filter than a
 * request can carry (MAX_BYTECODE), naming the largest list. A cheap lower bound
 * (every range or address is at least one op) catches huge lists before compiling.
 */
function checkFilterSize(query: NormalizedQuery): void {
  // TCP dumps both families at once (family 0): the largest program a query compiles to.
  const family = query.families.length === 2 ? 0 : (query.families[0] as Family)
  // As compileFilter: an IPv6 address is no op in an IPv4-only dump, and a /0 of the dump's family drops its list.
  const usable = (list: AddressPrefix[] | null): number =>
    list === null || list.some((p) => p.prefixLength === 0 && p.family === family) ? 0 : list.filter((p) => family !== 4 || p.family === 4).length
  const lists: [Field, number, number][] = [
    ['localPort', query.localPorts?.length ?? 0, 8],
    ['remotePort', query.remotePorts?.length ?? 0, 8],
    ['port', query.ports?.length ?? 0, 16],
    ['localAddress', usable(query.localAddresses), 16],
    ['remoteAddress', usable(query.remoteAddresses), 16],
    ['address', usable(query.addresses), 32],
  ]
  // One whole-range entry (0-65535) is no condition at all; ports() folds overlapping ranges, so it stands alone.
  const atLeast = lists.reduce((sum, [, n, op]) => sum + (n > 1 ? n * op : 0), 0)
  const size = atLeast > MAX_BYTECODE ? atLeast : programSize(query, family)
  if (size <= MAX_BYTECODE) return
  const [field, n] = lists.reduce((a, b) => (b[1] * b[2] > a[1] * a[2] ? b : a))
  throw new TypeError(
    `listSockets: the port and address filters need ${atLeast > MAX_BYTECODE ? 'at least ' : ''}${size} bytes of kernel filter ` +
      `(inet_diag bytecode), more than the ${MAX_BYTECODE} a request can carry; ${field} has the most (${n} entries): ` +
      'give fewer ports or addresses, ranges ({ from, to }) or networks (10.0.0.0/8) instead of single ones, or filter the result yourself',
  )
}

function programSize(query: NormalizedQuery, family: Family | 0): number {
  const program = compileFilter(query, family)
  return program === null || program === 'none' ? 0 : program.length
}

function procNet(value: unknown): ProcNet | null {
  if (value !== undefined) return checkProcNet(value)
  const fromEnv = process.env[PROC_NET_ENV]
  return fromEnv === undefined || fromEnv === '' ? null : fromEnv
}

function oneOrMany<T extends string | number>(field: string, value: unknown, allowed: readonly T[]): T[] {
  if (value === undefined) return [...allowed]
  const values = listOf(field, value)
  if (values.length === 0) throw new TypeError(`listSockets: ${field} is an empty list; leave it out to mean all of ${list(allowed)}`)
  for (const v of values) {
    if (!allowed.includes(v as T)) {
      throw new TypeError(`listSockets: ${field} ${describe(v)} is not allowed; use one of ${list(allowed)} or a list of them`)
    }
  }
  return allowed.filter((a) => values.includes(a))
}

function ports(field: string, value: unknown): PortRange[] | null {
  if (value === undefined) return null
  const values = listOf(field, value)
  if (values.length === 0) throw new TypeError(`listSockets: ${field} is an empty list; leave it out to match every port`)
  const ranges = values.map((v) => {
    if (isPort(v)) return { from: v, to: v }
    const from = v !== null && typeof v === 'object' ? own(v, 'from') : undefined
    const to = v !== null && typeof v === 'object' ? own(v, 'to') : undefined
    if (isPort(from) && isPort(to) && from <= to) return { from, to }
    throw new TypeError(
      `listSockets: ${field} ${describe(v)} is not a port; use an integer 0-65535, a range { from, to } with from <= to, or a list of them`,
    )
  })
  return merged(ranges)
}

/** The same ports as sorted, disjoint, non-adjacent ranges: the smallest kernel filter for them. */
function merged(ranges: PortRange[]): PortRange[] {
  ranges.sort((a, b) => a.from - b.from)
  const out: PortRange[] = []
  for (const r of ranges) {
    const last = out[out.length - 1]
    if (last !== undefined && r.from <= last.to + 1) last.to = Math.max(last.to, r.to)
    else out.push({ ...r })
  }
  return out
}

function prefixes(field: string, value: unknown): AddressPrefix[] | null {
  if (value === undefined) return null
  const values = listOf(field, value)
  if (values.length === 0) throw new TypeError(`listSockets: ${field} is an empty list; leave it out to match every address`)
  return values.map((v) => {
    const prefix = typeof v === 'string' ? parseAddressPrefix(v) : null
    if (prefix === null) {
      throw new TypeError(
        `listSockets: ${field} ${describe(v)} is not an address; use an IPv4 or IPv6 address, optionally with a prefix length ('10.0.0.0/8', 'fd00::/8'), or a list of them`,
      )
    }
    return prefix
  })
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535
}

function flag(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new TypeError(`listSockets: ${field} must be true or false, got ${describe(value)}`)
  return value
}

function optionsQuery(value: unknown): OptionsQuery {
  if (value === undefined) return 'auto'
  if (value === 'auto' || value === 'module' || value === 'bpf' || value === 'pidfd' || value === false) return value
  throw new TypeError(`listSockets: options ${describe(value)} is not allowed; use 'auto', 'module', 'bpf', 'pidfd' or false`)
}

function list(values: readonly (string | number)[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ')
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value)
    } catch {
      return Object.prototype.toString.call(value)
    }
  }
  return String(value)
}

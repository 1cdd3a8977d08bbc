// INET_DIAG_REQ_BYTECODE: the kernel-side filter program of a sock_diag dump
// (include/uapi/linux/inet_diag.h, net/ipv4/inet_diag.c: inet_diag_bc_run and
// inet_diag_bc_audit). With it the kernel skips non-matching sockets before it
// builds their messages, so a one-port query costs a walk of the hash tables, not a
// dump of every socket. Userspace re-checks every entry anyway (EntryDecoder, with src/filter.ts).
//
// A program is a list of ops, each `struct inet_diag_bc_op { u8 code; u8 yes; u16 no; }`
// followed by its operand. Running an op moves forward by `yes` bytes when it
// matches and by `no` bytes when not; running off the end exactly accepts the
// socket, landing 4 bytes past the end rejects it. The kernel's audit walks the
// program through the `yes` offsets only, and every `no` target must be an op on that
// walk, so every op here falls through on success (`yes` = its own size) and
// alternatives are joined with a JMP op (always takes `no`), as ss does:
//
//   a || b   =>   a (fail: to b) ; JMP (to the end of b) ; b (fail: the caller's)
//   a && b   =>   a (fail: the caller's) ; b (fail: the caller's)
import type { AddressPrefix, PortRange, SocketFilter } from '../../filter.js'
import { HOST_LITTLE_ENDIAN } from '../../util/host.js'
import { AF_INET, AF_INET6 } from '../../util/linux.js'

/**
 * The longest program a request can carry. INET_DIAG_REQ_BYTECODE is a netlink
 * attribute: its u16 nla_len counts its own 4-byte header, leaving 65531 bytes, and
 * every op is a multiple of 4 bytes (inet_diag_bc_audit rejects others): 65528. The
 * u16 `no` offsets then reach at most length + 4 = 65532. Longer programs fail at
 * sendmsg (EINVAL), so the query refuses them up front.
 */
export const MAX_BYTECODE = 65528

/** Op codes (enum in include/uapi/linux/inet_diag.h). */
export const BC = {
  NOP: 0,
  JMP: 1,
  S_GE: 2,
  S_LE: 3,
  D_GE: 4,
  D_LE: 5,
  AUTO: 6,
  S_COND: 7,
  D_COND: 8,
  DEV_COND: 9,
  MARK_COND: 10,
  /** Linux ≥ 4.16. */
  S_EQ: 11,
  /** Linux ≥ 4.16. */
  D_EQ: 12,
} as const

// A program under construction: ops with symbolic failure targets, resolved at the end.
type Label = { at: number }
// Operands are plain arrays of bytes: an ArrayBuffer per op made a large program
// spend most of its time in the garbage collector.
interface Op {
  code: number
  /** Operand bytes (after the 4-byte op). */
  operand: readonly number[]
  /** Where to go when the op does not match (JMP: always). */
  fail: Label
}
type Node = { kind: 'op'; code: number; operand: readonly number[] } | { kind: 'and' | 'or'; items: Node[] }

function portOperand(port: number): number[] {
  // A second inet_diag_bc_op whose `no` field holds the port (host order).
  return HOST_LITTLE_ENDIAN ? [0, 0, port & 0xff, port >>> 8] : [0, 0, port >>> 8, port & 0xff]
}

function portNode(range: PortRange, side: 'local' | 'remote'): Node | null {
  const [eq, ge, le] = side === 'local' ? [BC.S_EQ, BC.S_GE, BC.S_LE] : [BC.D_EQ, BC.D_GE, BC.D_LE]
  if (range.from === range.to) return { kind: 'op', code: eq, operand: portOperand(range.from) }
  const items: Node[] = []
  if (range.from > 0) items.push({ kind: 'op', code: ge, operand: portOperand(range.from) })
  if (range.to < 65535) items.push({ kind: 'op', code: le, operand: portOperand(range.to) })
  return items.length === 0 ? null : { kind: 'and', items }
}

function hostNode(prefix: AddressPrefix, side: 'local' | 'remote'): Node {
  // struct inet_diag_hostcond { u8 family; u8 prefix_len; int port; __be32 addr[]; }, port -1: any.
  // Bytes 2-3 are padding; -1 is all ones in either byte order.
  const operand = [prefix.family === 4 ? AF_INET : AF_INET6, prefix.prefixLength, 0, 0, 0xff, 0xff, 0xff, 0xff, ...prefix.bytes]
  return { kind: 'op', code: side === 'local' ? BC.S_COND : BC.D_COND, operand }
}

/** Any of `nodes`; null (always true) when one of them is always true. */
function anyOf(nodes: (Node | null)[]): Node | null {
  if (nodes.some((n) => n === null)) return null
  return nodes.length === 1 ? (nodes[0] as Node) : { kind: 'or', items: nodes as Node[] }
}

/** Whether an address condition of `prefix` can match a socket of `family` (the kernel matches IPv4 in v4-mapped IPv6). */
function familyCanMatch(prefix: AddressPrefix, family: 4 | 6 | 0): boolean {
  return prefix.family === 4 || family !== 4
}

/**
 * The filter program for one dump of `family` (0: one dump of both families), or null
 * when the filter has no condition the kernel needs to check, or 'none' when no
 * socket of `family` can match (an IPv6 address condition on an IPv4 dump): skip
 * that dump.
 */
export function compileFilter(filter: SocketFilter, family: 4 | 6 | 0): Uint8Array | null | 'none' {
  const groups: Node[] = []
  const add = (node: Node | null): void => {
    if (node !== null) groups.push(node)
  }
  if (filter.localPorts !== null) add(anyOf(filter.localPorts.map((r) => portNode(r, 'local'))))
  if (filter.remotePorts !== null) add(anyOf(filter.remotePorts.map((r) => portNode(r, 'remote'))))
  if (filter.ports !== null) {
    const local = anyOf(filter.ports.map((r) => portNode(r, 'local')))
    const remote = anyOf(filter.ports.map((r) => portNode(r, 'remote')))
    if (local !== null && remote !== null) add({ kind: 'or', items: [local, remote] })
  }
  for (const [prefixes, side] of [
    [filter.localAddresses, 'local'],
    [filter.remoteAddresses, 'remote'],
  ] as const) {
    if (prefixes === null) continue
    const usable = prefixes.filter((p) => familyCanMatch(p, family))
    if (usable.length === 0) return 'none'
    // A /0 of the dump's own family matches everything of it.
    if (usable.some((p) => p.prefixLength === 0 && p.family === family)) continue
    add(anyOf(usable.map((p) => hostNode(p, side))))
  }
  if (filter.addresses !== null) {
    const usable = filter.addresses.filter((p) => familyCanMatch(p, family))
    if (usable.length === 0) return 'none'
    if (!usable.some((p) => p.prefixLength === 0 && p.family === family)) {
      add({ kind: 'or', items: [anyOf(usable.map((p) => hostNode(p, 'local'))), anyOf(usable.map((p) => hostNode(p, 'remote')))] as Node[] })
    }
  }
  if (groups.length === 0) return null
  return assemble(groups.length === 1 ? (groups[0] as Node) : { kind: 'and', items: groups })
}

const NO_OPERAND: readonly number[] = []

function emit(node: Node, fail: Label, ops: (Op | Label)[]): void {
  if (node.kind === 'op') {
    ops.push({ code: node.code, operand: node.operand, fail })
  } else if (node.kind === 'and') {
    for (const item of node.items) emit(item, fail, ops)
  } else {
    const end: Label = { at: -1 }
    node.items.forEach((item, i) => {
      if (i === node.items.length - 1) {
        emit(item, fail, ops)
        return
      }
      const next: Label = { at: -1 }
      emit(item, next, ops)
      ops.push({ code: BC.JMP, operand: NO_OPERAND, fail: end })
      ops.push(next)
    })
    ops.push(end)
  }
}

function assemble(root: Node): Uint8Array {
  const items: (Op | Label)[] = []
  const reject: Label = { at: -1 }
  emit(root, reject, items)
  let at = 0
  for (const item of items) {
    if ('code' in item) at += 4 + item.operand.length
    else item.at = at
  }
  const length = at
  reject.at = length + 4
  const out = new Uint8Array(length)
  const view = new DataView(out.buffer)
  at = 0
  for (const item of items) {
    if (!('code' in item)) continue
    const size = 4 + item.operand.length
    out[at] = item.code
    out[at + 1] = size
    view.setUint16(at + 2, item.fail.at - at, HOST_LITTLE_ENDIAN)
    out.set(item.operand, at + 4)
    at += size
  }
  return out
}

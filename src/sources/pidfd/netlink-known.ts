// What the netlink dump already said of a socket's options, so the native reader
// spends no getsockopt on it (each costs 1-1.5 µs, about 16 of them per socket): the
// one home of the rule "this attribute is that option's value". Each attribute below
// is the very field the getsockopt returns (net/ipv4/inet_diag.c against
// ip_getsockopt, ipv6_getsockopt, sk_getsockopt, do_tcp_getsockopt), and it is taken
// only when this entry's dump carried it; else the reader asks getsockopt as before.
//
// | option                       | attribute                       | when                                   |
// |------------------------------|---------------------------------|----------------------------------------|
// | IP_TOS (IPv4)                | INET_DIAG_TOS: inet->tos        | asked for in every dump                |
// | IPV6_TCLASS (IPv6)           | INET_DIAG_TCLASS: np->tclass    | asked for in every dump                |
// | IPV6_V6ONLY                  | INET_DIAG_SKV6ONLY              | the kernel sends it for LISTEN and CLOSE only |
// | IP_FREEBIND, IP_TRANSPARENT  | INET_DIAG_SOCKOPT               | Linux >= 5.10                           |
// | TCP_CONGESTION               | INET_DIAG_CONG: icsk_ca_ops->name | asked for with tcp_info              |
// | SO_MARK                      | INET_DIAG_MARK: sk_mark         | CAP_NET_ADMIN callers only             |
// | SO_PRIORITY                  | INET_DIAG_CLASS_ID: the net_cls class id, else sk_priority | 0 only: then sk_priority is 0 |
// | SO_BINDTODEVICE              | idiag_if: sk_bound_dev_if       | 0 only: bound to no device, getsockopt returns "" |
//
// The hint bits are src-native/pidfd/read_options.h's kHintKnown*.
import type { SocketEntry } from '../../model.js'
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP } from '../../util/linux.js'
import { listedFromDetails, type ListedAttributes, type ListedReader } from '../source.js'
import { SLOT, type OptionRecords } from './option-record.js'
import { isUnconnectedTcp } from './semantics.js'

/** Bits of a target's hints word above the protocol (bits 0-7) and family (8-15). */
export const HINT = {
  /** LISTEN or CLOSE TCP: TCP_FASTOPEN, TCP_MAXSEG and the buffers mean something. */
  unconnected: 1 << 16,
  tos: 1 << 17,
  inetFlags: 1 << 18,
  congestion: 1 << 19,
  mark: 1 << 20,
  priority: 1 << 21,
  noDevice: 1 << 22,
  v6only: 1 << 23,
} as const

const KNOWN = HINT.tos | HINT.inetFlags | HINT.congestion | HINT.mark | HINT.priority | HINT.noDevice | HINT.v6only

/** `entry.netlink`'s attributes: for entries given without a listing's faster reader (SourceContext.listed). */
export const fromEntry: ListedReader = listedFromDetails

/** One entry's attributes at a time: no object per entry. */
const scratch: ListedAttributes = { tos: null, tclass: null, v6only: null, sockopt: null, congestion: null, mark: null, classId: null, ifindex: 0 }

/**
 * The hints word of a target: what the reader need not ask (read_options.h): the
 * protocol, the family, the state's "unconnected", and which values the dump carried.
 */
export function targetHints(entry: SocketEntry, listed: ListedReader = fromEntry): number {
  const tcp = entry.proto === 'tcp'
  const v6 = entry.family === 6
  let hints = (tcp ? IPPROTO_TCP : IPPROTO_UDP) | ((v6 ? AF_INET6 : AF_INET) << 8)
  if (isUnconnectedTcp(entry)) hints |= HINT.unconnected
  const n = scratch
  if (!listed(entry, n)) return hints >>> 0
  if ((v6 ? n.tclass : n.tos) !== null) hints |= HINT.tos
  if (n.sockopt !== null) hints |= HINT.inetFlags
  if (tcp && n.congestion !== null) hints |= HINT.congestion
  if (n.mark !== null) hints |= HINT.mark
  if (n.classId === 0) hints |= HINT.priority
  if (n.ifindex === 0) hints |= HINT.noDevice
  if (v6 && n.v6only !== null) hints |= HINT.v6only
  return hints >>> 0
}

/**
 * Writes into record `i` the values the reader left out because `hints` (the word it
 * was given for this entry, from targetHints with the same `listed`) said the dump
 * carried them: the record then reads as if getsockopt had filled it, and
 * semantics.ts turns it into options as ever.
 */
export function fillFromNetlink(records: OptionRecords, i: number, entry: SocketEntry, hints: number, listed: ListedReader = fromEntry): void {
  const n = scratch
  if ((hints & KNOWN) === 0 || !listed(entry, n)) return
  if (hints & HINT.tos) records.set(i, entry.family === 6 ? SLOT.ipv6TClass : SLOT.ipTos, (entry.family === 6 ? n.tclass : n.tos) as number)
  if (hints & HINT.inetFlags && n.sockopt !== null) {
    records.set(i, SLOT.ipFreeBind, n.sockopt.freebind ? 1 : 0)
    records.set(i, SLOT.ipTransparent, n.sockopt.transparent ? 1 : 0)
  }
  if (hints & HINT.congestion) records.setString(i, 0, n.congestion as string)
  if (hints & HINT.mark) records.set(i, SLOT.mark, n.mark as number)
  if (hints & HINT.priority) records.set(i, SLOT.priority, 0)
  // HINT.noDevice: the device string stays "", as getsockopt returns it.
  if (hints & HINT.v6only) records.set(i, SLOT.ipv6V6Only, n.v6only ? 1 : 0)
}

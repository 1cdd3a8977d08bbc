// The netlink source: one sock_diag dump per wanted table, decoded into SocketEntry
// objects. This is the socket list every listing starts from.
import type { DumpRequest } from '../../types/binding.js'
import { TCP_STATES, type NetlinkDetails, type SocketEntry, type SocketTimer, type TcpState } from '../model.js'
import { AF_INET, AF_INET6, ALL_STATES, extensionBit, INET_DIAG, IPPROTO_TCP, IPPROTO_UDP, stateMask, TCP_STATE } from '../native/constants.js'
import { decodeRecords, type RawSocket } from '../native/decode.js'
import { loadBinding } from '../native/load.js'
import { diagFlagsFromTcpInfo } from '../native/tcp-info.js'
import { portsMatch, type NormalizedQuery } from '../query.js'

const TIMERS: readonly SocketTimer[] = ['none', 'retransmit', 'keepalive', 'time_wait', 'zero_window_probe']

/** Dumps the tables the query names, in the order tcp4, tcp6, udp4, udp6. */
export async function listFromNetlink(query: NormalizedQuery): Promise<SocketEntry[]> {
  const records = await loadBinding().dump(dumpRequests(query))
  const entries: SocketEntry[] = []
  for (const raw of decodeRecords(records)) {
    // The kernel filters by state; ports are checked here.
    if (!portsMatch(query, raw.localPort, raw.remotePort)) continue
    entries.push(toEntry(raw, query.tcpInfo))
  }
  return entries
}

export function dumpRequests(query: NormalizedQuery): DumpRequest[] {
  const states = query.states === null ? ALL_STATES : stateMask(stateNumbers(query.states))
  const requests: DumpRequest[] = []
  for (const proto of query.protos) {
    const protocol = proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP
    let extensions = extensionBit(INET_DIAG.SKMEMINFO) | extensionBit(INET_DIAG.TOS) | extensionBit(INET_DIAG.TCLASS)
    if (proto === 'tcp' && query.tcpInfo) extensions |= extensionBit(INET_DIAG.INFO) | extensionBit(INET_DIAG.CONG)
    for (const family of query.families) {
      requests.push({ family: family === 4 ? AF_INET : AF_INET6, protocol, states, extensions })
    }
  }
  return requests
}

function stateNumbers(states: Set<TcpState>): number[] {
  const numbers = [...states].map((state) => TCP_STATE[state])
  // Connection requests live as NEW_SYN_RECV minisockets but are reported as SYN_RECV.
  if (states.has('SYN_RECV')) numbers.push(TCP_STATE.NEW_SYN_RECV)
  return numbers
}

function toEntry(raw: RawSocket, withTcpInfo: boolean): SocketEntry {
  const state = TCP_STATES[raw.state - 1] ?? 'CLOSE'
  // TIME_WAIT and request sockets have no file: no inode and no owner.
  const hasFile = raw.inode !== 0
  const entry: SocketEntry = {
    proto: raw.proto,
    family: raw.family,
    state,
    recvQ: raw.recvQ,
    // netlink gives a listener's backlog limit here; the knetstat model (and
    // /proc/net/tcp) has 0, and the limit goes to `backlog`.
    sendQ: state === 'LISTEN' ? 0 : raw.sendQ,
    local: { address: raw.localAddress, port: raw.localPort },
    remote: { address: raw.remoteAddress, port: raw.remotePort },
    uid: hasFile ? raw.uid : null,
    inode: hasFile ? raw.inode : null,
    diag:
      raw.proto === 'tcp' && withTcpInfo
        ? diagFlagsFromTcpInfo(raw.tcpInfo, raw.state)
        : raw.state === TCP_STATE.ESTABLISHED && raw.proto === 'tcp'
          ? { sendWindowZero: null, receiveWindowZero: null, ackStalled: null }
          : { sendWindowZero: false, receiveWindowZero: false, ackStalled: false },
    options: null,
    optionsSource: null,
  }
  if (state === 'LISTEN' && raw.proto === 'tcp') entry.backlog = raw.sendQ
  if (raw.proto === 'tcp' && withTcpInfo) entry.tcpInfo = raw.tcpInfo
  entry.netlink = details(raw)
  return entry
}

function details(raw: RawSocket): NetlinkDetails {
  return {
    cookie: raw.cookie.toString(),
    ifindex: raw.ifindex,
    timer: TIMERS[raw.timer] ?? 'none',
    retransmits: raw.retransmits,
    expiresMs: raw.expiresMs,
    shutdown: raw.shutdown === null ? null : { read: (raw.shutdown & 1) !== 0, write: (raw.shutdown & 2) !== 0 },
    v6only: raw.v6only,
    tos: raw.tos,
    tclass: raw.tclass,
    mark: raw.mark,
    classId: raw.classId,
    cgroupId: raw.cgroupId === null ? null : raw.cgroupId.toString(),
    sockopt: raw.sockopt,
    congestion: raw.congestion,
    memInfo: raw.memInfo,
  }
}

// A query as the netlink source asks for it: the dump requests the kernel gets (state
// mask, extensions, filter program) and the options the decoder re-checks them with.
import type { DumpRequest } from '../../../types/binding.js'
import type { TcpState } from '../../model.js'
import type { NormalizedQuery } from '../../query.js'
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, TCP_STATE } from '../../util/linux.js'
import { compileFilter } from './bytecode.js'
import { ALL_STATES, extensionBit, INET_DIAG, stateMask } from './constants.js'
import type { EntryOptions } from './entries.js'

/**
 * The dumps of a query: one per table, with the state mask and the filter program
 * (INET_DIAG_REQ_BYTECODE) for its ports and addresses; a table no socket of which
 * can match (an IPv6 address on the IPv4 table) is not dumped.
 */
export function dumpRequests(query: NormalizedQuery): DumpRequest[] {
  const states = query.states === null ? ALL_STATES : stateMask(stateNumbers(query.states))
  const requests: DumpRequest[] = []
  for (const proto of query.protos) {
    const protocol = proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP
    let extensions = extensionBit(INET_DIAG.SKMEMINFO) | extensionBit(INET_DIAG.TOS) | extensionBit(INET_DIAG.TCLASS)
    if (proto === 'tcp' && query.tcpInfo) extensions |= extensionBit(INET_DIAG.INFO) | extensionBit(INET_DIAG.CONG)
    // Both families of TCP in one walk of the kernel's tables (family 0: the cursor's
    // TCPDIAG_GETSOCK request); UDP has no such request.
    const families: (4 | 6 | 0)[] = proto === 'tcp' && query.families.length === 2 ? [0] : query.families
    for (const family of families) {
      const bytecode = compileFilter(query, family)
      if (bytecode === 'none') continue
      const request: DumpRequest = { family: family === 0 ? 0 : family === 4 ? AF_INET : AF_INET6, protocol, states, extensions }
      if (bytecode !== null) request.bytecode = bytecode
      requests.push(request)
    }
  }
  return requests
}

/** What the decoder keeps of the dump: the query's states, ports and addresses, checked again. */
export function entryOptions(query: NormalizedQuery): EntryOptions {
  return {
    tcpInfo: query.tcpInfo,
    stateMask: query.states === null ? ALL_STATES : stateMask(stateNumbers(query.states)),
    localPorts: query.localPorts,
    remotePorts: query.remotePorts,
    ports: query.ports,
    localAddresses: query.localAddresses,
    remoteAddresses: query.remoteAddresses,
    addresses: query.addresses,
  }
}

function stateNumbers(states: Set<TcpState>): number[] {
  const numbers = [...states].map((state) => TCP_STATE[state])
  // Connection requests live as NEW_SYN_RECV minisockets but are reported as SYN_RECV.
  if (states.has('SYN_RECV')) numbers.push(TCP_STATE.NEW_SYN_RECV)
  return numbers
}

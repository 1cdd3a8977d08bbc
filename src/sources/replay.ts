// The replay source: listSockets over a recording instead of the live kernel, with
// the same query, filters and result shape. Fields the text does not carry are null.
import type { SocketEntry } from '../model.js'
import { addressesMatch, portsMatch, type NormalizedQuery } from '../query.js'
import { readRecording, type ProcNet } from './recording.js'

export async function listFromReplay(query: NormalizedQuery, procNet: ProcNet): Promise<SocketEntry[]> {
  const recorded = await readRecording(procNet, (proto, family) => query.protos.includes(proto) && query.families.includes(family))
  const entries: SocketEntry[] = []
  for (const entry of recorded) {
    if (query.states !== null && !query.states.has(entry.state)) continue
    if (!portsMatch(query, entry.local.port, entry.remote.port)) continue
    if (!addressesMatch(query, entry.family, entry.local.address, entry.remote.address)) continue
    if (query.options === false) {
      entry.options = null
      entry.optionsSource = null
    }
    // The text has no tcp_info: asked for, it is unknown.
    if (entry.proto === 'tcp' && query.tcpInfo) entry.tcpInfo = null
    entries.push(entry)
  }
  return entries
}

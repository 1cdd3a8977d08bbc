// The replay source: listSockets over a recording instead of the live kernel, with
// the same query, filters and result shape. Fields the text does not carry are null.
import { matchesFilterText } from '../../filter.js'
import { isMinisocket, type SocketEntry } from '../../model.js'
import type { NormalizedQuery } from '../../query.js'
import { noOptions } from '../why-no-options.js'
import { readRecording, type ProcNet } from './recording.js'

export async function listFromReplay(query: NormalizedQuery, procNet: ProcNet): Promise<SocketEntry[]> {
  const recorded = await readRecording(procNet, (proto, family) => query.protos.includes(proto) && query.families.includes(family), {
    signal: query.signal,
  })
  const entries: SocketEntry[] = []
  for (const entry of recorded) {
    if (query.states !== null && !query.states.has(entry.state)) continue
    if (!matchesFilterText(query, entry.family, entry.local, entry.remote)) continue
    if (query.options === false) {
      entry.options = null
      if (entry.otherOptions !== undefined) delete entry.otherOptions
      entry.optionsSource = null
    } else if (entry.options === null) {
      // Why a recorded line has no options, as a live listing would say it: a
      // minisocket has none; any other socket's were not readable to whoever recorded it.
      noOptions(entry, isMinisocket(entry) ? { code: 'ENOENT', source: 'replay', cause: 'minisocket' } : { code: 'EPERM', source: 'replay', cause: 'withheld' })
    }
    // The text has no tcp_info: asked for, it is unknown.
    if (entry.proto === 'tcp' && query.tcpInfo) entry.tcpInfo = null
    entries.push(entry)
  }
  return entries
}

// The replay source: listSockets over a recording instead of the live kernel, with
// the same query, filters and result shape. Fields the text does not carry are null.
import type { OptionsError, SocketEntry } from '../model.js'
import { matchesFilterText } from '../filter.js'
import type { NormalizedQuery } from '../query.js'
import { noOptionsError, withheldByModule } from './module.js'
import { readRecording, type ProcNet } from './recording.js'

/** Why a recorded line has no options, as a live listing would say it. */
function recordedWithoutOptions(entry: SocketEntry): OptionsError {
  if (!withheldByModule(entry)) return noOptionsError(entry)
  return {
    code: 'EPERM',
    message:
      'the recording has no options for this socket: whoever recorded it could not read them. The knetstat kernel module ' +
      "shows a socket's options only to its owner or to a reader with CAP_SYS_PTRACE; without the module, options come " +
      'from the process holding the socket, and a socket no visible process holds (a connection still in an accept queue, ' +
      'an orphan) has none. Record as root with the module loaded to keep them',
  }
}

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
      entry.optionsSource = null
    } else if (entry.options === null) {
      entry.optionsError = recordedWithoutOptions(entry)
    }
    // The text has no tcp_info: asked for, it is unknown.
    if (entry.proto === 'tcp' && query.tcpInfo) entry.tcpInfo = null
    entries.push(entry)
  }
  return entries
}

// The four knetstat files (the module's /proc/net/*stat, a recording's directory):
// their names, and the table each holds.
import type { Family, Proto } from '../model.js'

/** Recorded texts by file name; a table that is left out has no sockets. */
export interface KnetstatTexts {
  tcpstat?: string
  tcp6stat?: string
  udpstat?: string
  udp6stat?: string
}

/** The files in table order (tcp4, tcp6, udp4, udp6). */
export const TABLE_FILES: readonly { file: keyof KnetstatTexts; proto: Proto; family: Family }[] = [
  { file: 'tcpstat', proto: 'tcp', family: 4 },
  { file: 'tcp6stat', proto: 'tcp', family: 6 },
  { file: 'udpstat', proto: 'udp', family: 4 },
  { file: 'udp6stat', proto: 'udp', family: 6 },
]

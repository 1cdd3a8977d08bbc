// The command's default output: the four knetstat files one after the other, as
// `cat /proc/net/{tcp,tcp6,udp,udp6}stat` prints them.
import type { Family, Proto, SocketEntry } from '../model.js'
import { formatKnetstat } from '../text/format.js'

export const TABLES: readonly { proto: Proto; family: Family; file: string }[] = [
  { proto: 'tcp', family: 4, file: 'tcpstat' },
  { proto: 'tcp', family: 6, file: 'tcp6stat' },
  { proto: 'udp', family: 4, file: 'udpstat' },
  { proto: 'udp', family: 6, file: 'udp6stat' },
]

/** The text of every table the listing covered, in file order. */
export function formatTables(entries: readonly SocketEntry[], tables = TABLES): string {
  return tables
    .map(({ proto, family }) =>
      formatKnetstat(
        entries.filter((e) => e.proto === proto && e.family === family),
        { proto },
      ),
    )
    .join('')
}

// Joins the /proc scan to sockets by inode: each entry's holders.
import type { SocketEntry } from '../../model.js'
import { breathe, SLICE } from '../../util/breathe.js'
import type { ProcessScan } from './scan.js'

/** Sets `processes` on every entry: its holders, [] when none is visible. */
export async function attachProcesses(entries: SocketEntry[], scan: ProcessScan): Promise<void> {
  for (let i = 0; i < entries.length; i++) {
    if (i % SLICE === 0 && i > 0) await breathe()
    const entry = entries[i] as SocketEntry
    const list = entry.inode === null ? undefined : scan.holders.get(entry.inode)
    entry.processes = list === undefined ? [] : list.map((h) => ({ ...h }))
  }
}

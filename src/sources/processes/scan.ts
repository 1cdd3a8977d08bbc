// Which processes hold which sockets: one pass over /proc/<pid>/fd (native, on a
// worker thread), indexed by socket inode in one Map.
import { errnoName } from '../../util/errno.js'
import type { SocketHolder } from '../../model.js'
import { breathe, SLICE } from '../../util/breathe.js'
import { scanBinding } from './binding.js'

/** A process whose descriptors could not be read (another user's, without CAP_SYS_PTRACE). */
export interface HiddenProcess {
  pid: number
  command: string
  /** 'EACCES' or 'EPERM'. */
  code: string
}

export interface ProcessScan {
  /** Socket inode -> every (pid, fd) holding it, by pid then fd. */
  holders: Map<number, SocketHolder[]>
  /** Processes whose fd directory was refused: their sockets cannot be attributed. */
  hidden: HiddenProcess[]
  /** Processes whose fd directory was read. */
  scanned: number
}

function words(buf: Buffer): Uint32Array {
  // Buffers from the addon are 4-byte aligned; copy in the unlikely case one is not.
  if (buf.byteOffset % 4 === 0) return new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4)
  return new Uint32Array(Uint8Array.from(buf).buffer)
}

/** Scans /proc (or `root`) once. Processes exiting mid-scan are skipped. */
export async function scanProcesses(root = '/proc'): Promise<ProcessScan> {
  const scan = await scanBinding().scanProcFds(root)
  const commands = new Map<number, string>()
  const hidden: HiddenProcess[] = []
  const procs = words(scan.processes)
  for (let i = 0; i < procs.length / 2; i++) {
    const pid = procs[i * 2] as number
    const error = procs[i * 2 + 1] as number
    const command = scan.commands[i] ?? ''
    if (error === 0) commands.set(pid, command)
    else hidden.push({ pid, command, code: errnoName(error) })
  }
  const holders = new Map<number, SocketHolder[]>()
  const fds = words(scan.fds)
  for (let i = 0; i < fds.length; i += 3) {
    if (i % (SLICE * 3) === 0 && i > 0) await breathe()
    const pid = fds[i] as number
    const holder: SocketHolder = { pid, fd: fds[i + 1] as number, command: commands.get(pid) ?? '' }
    const inode = fds[i + 2] as number
    const list = holders.get(inode)
    if (list === undefined) holders.set(inode, [holder])
    else list.push(holder)
  }
  for (const list of holders.values()) {
    if (list.length > 1) list.sort((a, b) => a.pid - b.pid || a.fd - b.fd)
  }
  return { holders, hidden, scanned: scan.scanned }
}

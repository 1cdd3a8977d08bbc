// A network namespace a listing reads: a descriptor of its nsfs file, held open for
// the listing (so the namespace cannot go away under it), with what identifies it.
// Which file names a network namespace is resolve.ts's and discover.ts's to say.
import { closeSync, constants, fstatSync, openSync } from 'node:fs'
import { NetnsError } from './errors.js'

/** The namespace of a listed entry: its inode (as `lsns` and `ls -iL /proc/PID/ns/net` show it), and its `ip netns` name if it has one. */
export interface NetnsRef {
  inode: number
  /** The name under /run/netns, or null. */
  name: string | null
}

/** A namespace open for a listing. */
export interface NetnsTarget extends NetnsRef {
  /** A descriptor of the namespace: the addon enters it through this. */
  readonly fd: number
  /** The file it was opened through (/run/netns/NAME, /proc/PID/ns/net). */
  readonly path: string
}

/**
 * Opens a namespace resolved (or found) to be `inode` at `path`. Throws NetnsError
 * when it cannot be opened, or when the file is another namespace by now (a process
 * that exited and whose pid was reused, a name deleted and made again).
 */
export function openNetns(found: { path: string; inode: number; name?: string | null }, spec: string | number): NetnsTarget {
  const { path } = found
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK)
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'EIO'
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission' : 'no-such-path'
    throw new NetnsError(reason, spec, path, `cannot open the network namespace ${path} (${code})`, { cause, syscall: 'open' })
  }
  const inode = fstatSync(fd).ino
  if (inode !== found.inode) {
    closeSync(fd)
    throw new NetnsError('replaced', spec, path, `${path} was network namespace ${found.inode} and is ${inode} now (its process exited, or it was made again); list again`)
  }
  return { fd, inode, name: found.name ?? null, path }
}

/** Closes a namespace opened by openNetns (once; a second call does nothing). */
export function closeNetns(target: NetnsTarget): void {
  const open = target as { fd: number }
  if (open.fd < 0) return
  const fd = open.fd
  open.fd = -1
  closeSync(fd)
}

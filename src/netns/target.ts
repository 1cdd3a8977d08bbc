// A network namespace a listing reads: a descriptor of its nsfs file, held open for
// the listing (so the namespace cannot go away under it, and a path that is replaced
// meanwhile cannot swap it for another), with what identifies it.
import { closeSync, constants, fstatSync, openSync, readlinkSync, statSync } from 'node:fs'

/** The namespace of a listed entry: its inode (as `ls -i /proc/PID/ns/net`, `lsns` show it), and its `ip netns` name if it has one. */
export interface NetnsRef {
  inode: number
  /** The name under /run/netns, or null. */
  name: string | null
}

/** A namespace open for a listing. */
export interface NetnsTarget extends NetnsRef {
  /** A descriptor of the namespace (O_RDONLY): the addon enters it through this. */
  readonly fd: number
  /** The file it was opened through (/run/netns/NAME, /proc/PID/ns/net). */
  readonly path: string
}

/**
 * A network namespace could not be read: its file could not be opened, is not a
 * network namespace, or could not be entered (then `syscall` is 'setns'), or its
 * listing failed (`cause`).
 */
export class NetnsError extends Error {
  readonly code: string
  /** The file the namespace was named by or found through. */
  readonly path: string
  /** The namespace, when it was identified. */
  readonly netns: NetnsRef | null
  /** The system call that failed ('open', 'setns', ...), when one did. */
  readonly syscall: string | undefined
  constructor(message: string, code: string, path: string, options?: { cause?: unknown; netns?: NetnsRef; syscall?: string }) {
    super(message, options)
    this.name = 'NetnsError'
    this.code = code
    this.path = path
    this.netns = options?.netns ?? null
    this.syscall = options?.syscall
  }
}

const NET_LINK = /^net:\[(\d+)\]$/

/**
 * Opens the namespace file `path` and checks that it is a network namespace: what
 * its descriptor links to is `net:[INODE]`. Throws NetnsError (code from open, or
 * 'EINVAL' for another kind of file).
 */
export function openNetns(path: string, name: string | null = null): NetnsTarget {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO'
    throw new NetnsError(`cannot open the network namespace ${path} (${code}): ${openAdvice(code)}`, code, path, { cause: error, syscall: 'open' })
  }
  let inode: number | null
  try {
    inode = netnsInodeOf(fd)
  } catch (error) {
    closeSync(fd)
    throw new NetnsError(`cannot tell what ${path} is: ${(error as Error).message}`, 'EIO', path, { cause: error })
  }
  if (inode === null) {
    closeSync(fd)
    throw new NetnsError(`${path} is not a namespace file; use /run/netns/NAME (ip netns), /proc/PID/ns/net or a pid`, 'EINVAL', path)
  }
  return { fd, inode, name, path }
}

/**
 * The namespace inode of an open namespace file, or null for another kind of file.
 * /proc/PID/ns/net links to `net:[INODE]`; a bind mount of it (/run/netns/NAME) is
 * an nsfs file like it (same device) whose inode is the namespace's. Whether a
 * namespace file is a network namespace's, entering it tells (setns says EINVAL).
 */
function netnsInodeOf(fd: number): number | null {
  const inode = NET_LINK.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1]
  if (inode !== undefined) return Number(inode)
  const file = fstatSync(fd)
  return file.dev === nsfsDevice() ? file.ino : null
}

let nsfs: number | undefined
function nsfsDevice(): number {
  return (nsfs ??= statSync('/proc/thread-self/ns/net').dev)
}

/** Closes a namespace opened by openNetns (once; a second call does nothing). */
export function closeNetns(target: NetnsTarget): void {
  const open = target as { fd: number }
  if (open.fd < 0) return
  const fd = open.fd
  open.fd = -1
  closeSync(fd)
}

function openAdvice(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file; list the named namespaces with `ip netns list`, or give /proc/PID/ns/net of a process in it'
    case 'EACCES':
    case 'EPERM':
      return "no permission to open it; a process's /proc/PID/ns/net needs the right to ptrace it (root, or the same user)"
    default:
      return 'the file could not be opened'
  }
}

// Files of a network namespace: /proc/net/* and /proc/sys/net/* show the namespace
// of the thread that opens them, so for another namespace they are opened by the
// addon from a thread inside it (openInNetns), and read here through the descriptor.
import { closeSync, readFile, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { loadBinding } from '../native/load.js'
import { errnoName } from '../util/errno.js'
import type { NetnsTarget } from './target.js'

const readFd = promisify(readFile)

/** Where a path of the caller's /proc/net is, seen from the thread that opens it. */
function inThread(path: string): string {
  return path.startsWith('/proc/net/') ? `/proc/thread-self/net/${path.slice('/proc/net/'.length)}` : path
}

/** An ENOENT-like error for a path whose open failed with -errno inside the namespace. */
function openError(path: string, errno: number, netns: NetnsTarget): NodeJS.ErrnoException {
  const code = errnoName(-errno)
  return Object.assign(new Error(`${code}: cannot open ${path} in network namespace ${netns.inode} (${netns.path})`), {
    code,
    errno,
    syscall: 'open',
    path,
  })
}

/** Opens `paths` inside `netns`: each a descriptor or the error its open gave. */
function openInside(netns: NetnsTarget, paths: readonly string[]): (number | NodeJS.ErrnoException)[] {
  const fds = loadBinding().openInNetns(netns.fd, paths.map(inThread))
  return fds.map((fd, i) => (fd >= 0 ? fd : openError(paths[i] as string, fd, netns)))
}

/** The text of `path` (a /proc/net or /proc/sys/net path) as the namespace sees it; null: the caller's own. Rejects as readFile does (code ENOENT, ...). */
export async function readNetnsText(netns: NetnsTarget | null, path: string): Promise<string> {
  if (netns === null) return promisify(readFile)(path, 'utf8')
  const [fd] = openInside(netns, [path])
  if (typeof fd !== 'number') throw fd
  try {
    return await readFd(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}

/** readNetnsText, synchronously (a few bytes of /proc/sys). */
export function readNetnsTextSync(netns: NetnsTarget | null, path: string): string {
  if (netns === null) return readFileSync(path, 'utf8')
  const [fd] = openInside(netns, [path])
  if (typeof fd !== 'number') throw fd
  try {
    return readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}

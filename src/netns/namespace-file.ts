// What a path names when it names a namespace: its type and identity (device, inode).
// A namespace file lives on nsfs; /proc/PID/ns/* links say their type (`net:[INODE]`);
// a bind mount of one (/run/netns/NAME) does not, and its type is the mount's root
// in the mount table (`net:[INODE]`), found there by inode.
import { lstat, readlink, stat } from 'node:fs/promises'
import type { MountInfo } from './mountinfo.js'

export interface NamespaceIdentity {
  /** `net`, `mnt`, `pid`, ...; null when the file is on nsfs but its type could not be told. */
  type: string | null
  inode: number
  device: number
}

/** `net:[4026531833]` → type and inode; null for any other text. */
export function parseNamespaceLink(text: string): { type: string; inode: number } | null {
  const m = /^([a-z_]+):\[(\d+)\]$/.exec(text)
  return m === null ? null : { type: m[1] as string, inode: Number(m[2]) }
}

let nsfsDevice: number | undefined

/** The device of nsfs: every namespace file is on it; the caller's own net link is one. */
export async function namespaceDevice(): Promise<number> {
  nsfsDevice ??= (await stat('/proc/self/ns/net')).dev
  return nsfsDevice
}

/** The inode of the caller's own network namespace (this thread's). */
export async function ownNetnsInode(): Promise<number | null> {
  return parseNamespaceLink(await readlink('/proc/thread-self/ns/net'))?.inode ?? null
}

/**
 * The namespace at `path`, or null when it is not a namespace file. Filesystem errors
 * (ENOENT, EACCES, ...) are thrown as they are, for the caller to put into words.
 */
export async function inspectNamespaceFile(path: string, mounts: () => Promise<MountInfo[]>): Promise<NamespaceIdentity | null> {
  const target = await stat(path)
  if (target.dev !== (await namespaceDevice())) return null
  if ((await lstat(path)).isSymbolicLink()) {
    const link = parseNamespaceLink(await readlink(path))
    if (link !== null && link.inode === target.ino) return { type: link.type, inode: target.ino, device: target.dev }
  }
  const mount = (await mounts()).find((m) => m.fsType === 'nsfs' && parseNamespaceLink(m.root)?.inode === target.ino)
  return { type: mount === undefined ? null : (parseNamespaceLink(mount.root)?.type ?? null), inode: target.ino, device: target.dev }
}

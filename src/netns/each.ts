// Every network namespace on the host, for a listing of them all: the named ones
// (`ip netns` bind mounts under /run/netns) and those of processes (/proc/PID/ns/net),
// each once, named where it has a name.
import { readdir, readlink, stat } from 'node:fs/promises'
import { breathe } from '../util/breathe.js'

/** A namespace found, with a file that opens it. */
export interface FoundNetns {
  inode: number
  name: string | null
  path: string
}

const NET_LINK = /^net:\[(\d+)\]$/
export const NETNS_RUN_DIR = '/run/netns'

async function inodeOf(path: string): Promise<number | null> {
  try {
    const inode = NET_LINK.exec(await readlink(path))?.[1]
    return inode === undefined ? null : Number(inode)
  } catch {
    // Gone (a process exited), or not ours to look at: others may show the same namespace.
    return null
  }
}

/** The `ip netns` name of namespace `inode`, or null: the bind mount under /run/netns with its inode. */
export async function netnsNameOf(inode: number): Promise<string | null> {
  let names: string[]
  try {
    names = (await readdir(NETNS_RUN_DIR)).sort()
  } catch {
    return null
  }
  for (const name of names) {
    try {
      if ((await stat(`${NETNS_RUN_DIR}/${name}`)).ino === inode) return name
    } catch {
      // Deleted meanwhile.
    }
  }
  return null
}

/** The caller's own namespace inode. */
export async function ownNetnsInode(): Promise<number | null> {
  return inodeOf('/proc/thread-self/ns/net')
}

/**
 * Every network namespace the caller can see, each once: the named ones first (by
 * name; a bind mount of an nsfs file has the namespace's inode), then the others
 * processes are in, by inode. A process that exits meanwhile is skipped.
 */
export async function findNetns(): Promise<FoundNetns[]> {
  const found = new Map<number, FoundNetns>()
  let names: string[] = []
  try {
    names = (await readdir(NETNS_RUN_DIR)).sort()
  } catch {
    // No named namespaces.
  }
  for (const name of names) {
    const path = `${NETNS_RUN_DIR}/${name}`
    try {
      const { ino } = await stat(path)
      if (!found.has(ino)) found.set(ino, { inode: ino, name, path })
    } catch {
      // Deleted meanwhile.
    }
  }
  const byProcess: FoundNetns[] = []
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p))
  for (const [i, pid] of pids.entries()) {
    if (i % 256 === 255) await breathe()
    const path = `/proc/${pid}/ns/net`
    const inode = await inodeOf(path)
    if (inode === null || found.has(inode)) continue
    const entry = { inode, name: null, path }
    found.set(inode, entry)
    byProcess.push(entry)
  }
  return [...found.values()].filter((f) => f.name !== null).concat(byProcess.sort((a, b) => a.inode - b.inode))
}

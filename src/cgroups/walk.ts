// Finds cgroup directories by id. A cgroup v2 id is its kernfs node id, which since
// Linux 5.5 is the directory's inode number on 64-bit hosts ("kernfs,cgroup: support
// 64bit inos and unify cgroup IDs"; on 32-bit ones the inode is its low 32 bits), so a
// walk of the mount stats directories and keeps the wanted ones only: memory is the
// answers and one directory listing per level, whatever the tree's size.
import { lstat, readdir } from 'node:fs/promises'
import { join, posix } from 'node:path'
import type { Cgroup2Mount } from './mounts.js'

/** Sibling directories statted at once. */
const STAT_BATCH = 64

export interface WalkResult {
  /** id (decimal) → cgroup path, for the wanted ids found. */
  found: Map<string, string>
  /** True when some wanted id was not found, so the whole tree was walked; false when it stopped at the last one found. */
  complete: boolean
}

/** The cgroup path of each wanted id (decimal strings) under `mount`, stopping once all are found. */
export async function findCgroupIds(mount: Cgroup2Mount, wanted: ReadonlySet<string>): Promise<WalkResult> {
  const found = new Map<string, string>()
  const consider = (id: bigint, path: string): void => {
    const key = id.toString()
    if (wanted.has(key)) found.set(key, path)
  }
  consider((await lstat(mount.mountPoint, { bigint: true })).ino, mount.root)

  const visit = async (dir: string, cgroup: string): Promise<void> => {
    let children: string[]
    try {
      children = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name)
    } catch {
      return // removed during the walk, or unreadable: its cgroups cannot be named
    }
    for (let i = 0; i < children.length && found.size < wanted.size; i += STAT_BATCH) {
      const batch = children.slice(i, i + STAT_BATCH)
      const stats = await Promise.all(batch.map((name) => lstat(join(dir, name), { bigint: true }).catch(() => null)))
      for (let j = 0; j < batch.length; j++) {
        const s = stats[j]
        if (s?.isDirectory()) consider(s.ino, posix.join(cgroup, batch[j] as string))
      }
      for (let j = 0; j < batch.length && found.size < wanted.size; j++) {
        if (stats[j]?.isDirectory()) await visit(join(dir, batch[j] as string), posix.join(cgroup, batch[j] as string))
      }
    }
  }
  if (found.size < wanted.size) await visit(mount.mountPoint, mount.root)
  return { found, complete: found.size < wanted.size }
}

// `ip netns` names: the files of /run/netns (iproute2's NETNS_RUN_DIR; /var/run/netns
// is the same directory where /var/run links to /run, and is read too where it does not).
import { readdir, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'

export const NETNS_DIRS: readonly string[] = ['/run/netns', '/var/run/netns']

/** The directory a name is looked up in: the first of NETNS_DIRS. */
export const NETNS_RUN_DIR = NETNS_DIRS[0] as string

/** The `ip netns` name a mount point gives its namespace, or undefined when it is not directly in a netns dir. */
export function netnsNameOf(mountPoint: string): string | undefined {
  return NETNS_DIRS.includes(dirname(mountPoint)) ? basename(mountPoint) : undefined
}

/** The names in /run/netns, sorted; none when it does not exist or cannot be read. */
export async function listNetnsNames(dir = NETNS_RUN_DIR): Promise<string[]> {
  try {
    return (await readdir(dir)).sort()
  } catch {
    return []
  }
}

/** Whether a string can be an `ip netns` name (iproute2 refuses '/', '.' and '..'). */
export function isNetnsName(text: string): boolean {
  return text.length > 0 && text.length <= 255 && !text.includes('/') && text !== '.' && text !== '..' && !text.includes('\0')
}

/** The `ip netns` name of namespace `inode` (a bind mount in /run/netns has its inode), or null. */
export async function netnsNameForInode(inode: number, dir = NETNS_RUN_DIR): Promise<string | null> {
  for (const name of await listNetnsNames(dir)) {
    try {
      if ((await stat(`${dir}/${name}`)).ino === inode) return name
    } catch {
      // Deleted meanwhile.
    }
  }
  return null
}

// /proc/self/mountinfo, parsed: the one reader of the mount table for namespace bind
// mounts (nsfs) and cgroup2 mounts. It imports nothing of knetstat (a util leaf in
// all but its folder).
import { readFile } from 'node:fs/promises'

export interface MountInfo {
  /** The mounted file system's device, `major:minor`. */
  device: string
  /** The path inside the file system at the mount's root: `/` for a whole cgroup2, `net:[INODE]` for an nsfs bind mount. */
  root: string
  /** Where it is mounted, in the reader's mount namespace. */
  mountPoint: string
  /** `nsfs`, `cgroup2`, `ext4`, ... */
  fsType: string
}

/** The mount table's text → mounts; a malformed line is skipped (the kernel writes it; a truncated read may cut one). */
export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = []
  for (const line of text.split('\n')) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    const fields = line.split(' ')
    const dash = fields.indexOf('-', 6)
    if (fields.length < 10 || dash < 0 || dash + 1 >= fields.length) continue
    mounts.push({
      device: fields[2] as string,
      root: unescapeMountField(fields[3] as string),
      mountPoint: unescapeMountField(fields[4] as string),
      fsType: fields[dash + 1] as string,
    })
  }
  return mounts
}

/** The kernel writes space, tab, newline and backslash in paths as octal escapes (`\040`). */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
}

/** The caller's mount table. */
export async function readMountInfo(file = '/proc/self/mountinfo'): Promise<MountInfo[]> {
  return parseMountInfo(await readFile(file, 'utf8'))
}

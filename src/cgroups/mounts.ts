// Where the cgroup v2 hierarchy is mounted, from the mount table. There is one v2
// hierarchy per host (per cgroup namespace); several mounts of it (a hybrid host's
// /sys/fs/cgroup/unified, a test's own) show the same directories, the same ids.
import { readMountInfo, type MountInfo } from '../netns/mountinfo.js'

export interface Cgroup2Mount {
  mountPoint: string
  /** The cgroup path at the mount's root: `/` for a whole hierarchy, `/a/b` for a bind mount of a subtree. */
  root: string
}

/** Every cgroup2 mount, the whole-hierarchy ones (root `/`) first, then by mount point length. */
export function cgroup2Mounts(mounts: readonly MountInfo[]): Cgroup2Mount[] {
  return mounts
    .filter((m) => m.fsType === 'cgroup2')
    .map((m) => ({ mountPoint: m.mountPoint, root: m.root }))
    .sort((a, b) => Number(b.root === '/') - Number(a.root === '/') || a.mountPoint.length - b.mountPoint.length)
}

/** The mount to walk: the widest view of the hierarchy, or null when there is no cgroup2 mount. */
export async function findCgroup2Mount(mounts?: readonly MountInfo[]): Promise<Cgroup2Mount | null> {
  return cgroup2Mounts(mounts ?? (await readMountInfo()))[0] ?? null
}

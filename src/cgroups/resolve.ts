// A socket's cgroup id (netlink's INET_DIAG_CGROUP_ID) → its cgroup path, and the
// container that path names. Lazy: the cgroup2 tree is walked only for ids not in the
// cache, at most once per call, stopping when all are found. Bounded: the cache keeps
// the most recently used `capacity` paths.
import { findCgroup2Mount, type Cgroup2Mount } from './mounts.js'
import { findCgroupIds } from './walk.js'
import { processCgroupPath } from './process-cgroup.js'
import { parseContainer, type ContainerInfo } from './containers.js'
import type { MountInfo } from '../netns/mountinfo.js'

/** Why an id has no path. */
export type CgroupUnknownCode =
  | 'no-cgroup2-mount' // nothing to walk: a cgroup v1 host, or a mount namespace without it
  | 'not-found' // no directory has the id: removed since the socket was made, or outside this mount's view
  | 'no-id' // the socket came with no cgroup id (id 0, or none)

export interface CgroupAttribution {
  /** The cgroup id as given (decimal), or null. */
  id: string | null
  /** The cgroup v2 path from the hierarchy's root (as /proc/PID/cgroup writes it), or null. */
  path: string | null
  /**
   * Where the path came from: 'cgroup-id', the socket's own cgroup (its creator's at
   * creation); 'holder', the cgroup of a process holding it now (a hint: a socket
   * passed or inherited may have been made elsewhere); null with no path.
   */
  source: 'cgroup-id' | 'holder' | null
  /** The holder whose cgroup the path is, for source 'holder'. */
  pid?: number
  /** Why the id gave no path (also set when a holder's path stands in). */
  unknown?: { code: CgroupUnknownCode; message: string }
  /** The container (or systemd unit) the path names, or null. */
  container: ContainerInfo | null
}

export interface CgroupResolverOptions {
  /** The mount table (tests), else /proc/self/mountinfo read on first use. */
  mounts?: readonly MountInfo[]
  /** Paths kept; 4096 by default. */
  capacity?: number
}

export type CgroupId = string | bigint | number

export class CgroupResolver {
  private readonly cache = new Map<string, string>()
  private readonly capacity: number
  private mount: Promise<Cgroup2Mount | null> | undefined
  /** Ids a whole walk did not find: removed (cgroup ids are never reused), so no later walk looks for them. Bounded as the cache. */
  private readonly gone = new Set<string>()
  /** How many times the tree was walked (for tests and diagnostics). */
  walks = 0

  constructor(private readonly options: CgroupResolverOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 4096)
  }

  /** The cgroup2 mount this resolver walks, or null. */
  cgroup2Mount(): Promise<Cgroup2Mount | null> {
    this.mount ??= findCgroup2Mount(this.options.mounts)
    return this.mount
  }

  /** The path of each id (one walk at most for all of them). Ids 0 and null have none. */
  async resolve(ids: Iterable<CgroupId | null>): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>()
    const missing = new Set<string>()
    for (const raw of ids) {
      if (raw === null) continue
      const id = normalizeId(raw)
      const cached = this.cache.get(id)
      if (cached !== undefined) {
        this.cache.delete(id) // most recently used last
        this.cache.set(id, cached)
        out.set(id, cached)
      } else if (id === '0') out.set(id, null)
      else missing.add(id)
    }
    const mount = missing.size > 0 ? await this.cgroup2Mount() : null
    const worthWalking = new Set([...missing].filter((id) => !this.gone.has(id)))
    if (mount !== null && worthWalking.size > 0) {
      this.walks++
      const walk = await findCgroupIds(mount, worthWalking)
      for (const [id, path] of walk.found) bounded(this.cache, id, path, this.capacity)
      if (walk.complete) for (const id of worthWalking) if (!walk.found.has(id)) bounded(this.gone, id, undefined, this.capacity)
    }
    for (const id of missing) out.set(id, this.cache.get(id) ?? null)
    return out
  }

  /**
   * One socket's cgroup: its id's path, else (with `holders`) the first readable
   * holder's, marked as such, else null with the reason.
   */
  async attribute(id: CgroupId | null, holders: readonly number[] = []): Promise<CgroupAttribution> {
    const key = id === null ? null : normalizeId(id)
    const path = key === null ? null : ((await this.resolve([key])).get(key) ?? null)
    if (path !== null) return { id: key, path, source: 'cgroup-id', container: parseContainer(path) }
    const unknown = await this.whyUnknown(key)
    for (const pid of holders) {
      const held = await processCgroupPath(pid)
      if (held !== null) return { id: key, path: held, source: 'holder', pid, unknown, container: parseContainer(held) }
    }
    return { id: key, path: null, source: null, unknown, container: null }
  }

  private async whyUnknown(id: string | null): Promise<{ code: CgroupUnknownCode; message: string }> {
    if (id === null || id === '0') return { code: 'no-id', message: 'the socket came with no cgroup id (the kernel gives one from Linux 5.2, in netlink\'s INET_DIAG_CGROUP_ID)' }
    const mount = await this.cgroup2Mount()
    if (mount === null) {
      return {
        code: 'no-cgroup2-mount',
        message: `cgroup ${id} has no path: no cgroup2 file system is mounted in this mount namespace (a cgroup v1 host), so no directory can be matched to the id; mounting one (mount -t cgroup2 none /sys/fs/cgroup/unified) makes ids resolvable`,
      }
    }
    return {
      code: 'not-found',
      message: `no cgroup under ${mount.mountPoint} has id ${id}: it was removed since the socket was made, or is outside this mount's view (another cgroup namespace)`,
    }
  }

}

/** Adds to a Map (with a value) or a Set, dropping the oldest entry past `capacity`. */
function bounded(store: Map<string, string> | Set<string>, id: string, path: string | undefined, capacity: number): void {
  if (store instanceof Map) store.set(id, path as string)
  else store.add(id)
  if (store.size > capacity) store.delete(store.keys().next().value as string)
}

/** An id as decimal text, the form entries carry (SocketEntry's netlink cgroupId). */
function normalizeId(id: CgroupId): string {
  if (typeof id === 'bigint') return id.toString()
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`a cgroup id is a non-negative integer, not ${id}`)
    return String(id)
  }
  if (!/^\d+$/.test(id)) throw new RangeError(`a cgroup id is decimal digits, not '${id}'`)
  return BigInt(id).toString()
}

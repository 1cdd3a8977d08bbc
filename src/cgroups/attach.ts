// A listing's `cgroup: true`: each entry's cgroup (the netlink dump's cgroup id, its
// creator's at creation) resolved to a path and the container it names. One
// resolver per listing: the cgroup2 tree is walked at most once per batch, for the
// ids not met yet, and entries of one cgroup share one frozen attribution.
import type { SocketEntry } from '../model.js'
import { CgroupResolver, type CgroupAttribution } from './resolve.js'

/** Reads an entry's cgroup id without decoding the rest (the netlink source's reader). */
export type CgroupIdReader = (entry: SocketEntry) => string | null

/** Fills `cgroup` of each entry of a batch. */
export function cgroupFiller(readId: CgroupIdReader, resolver = new CgroupResolver()): (batch: SocketEntry[]) => Promise<void> {
  const byId = new Map<string | null, Readonly<CgroupAttribution>>()
  return async (batch) => {
    const ids = new Set<string | null>()
    for (const entry of batch) ids.add(readId(entry))
    const fresh = [...ids].filter((id) => !byId.has(id))
    await resolver.resolve(fresh.filter((id): id is string => id !== null))
    for (const id of fresh) byId.set(id, Object.freeze(await resolver.attribute(id)))
    for (const entry of batch) {
      const shared = byId.get(readId(entry)) as Readonly<CgroupAttribution>
      // No path from the id: a holder's cgroup stands in, marked as such (when processes were listed).
      const holders = shared.path === null ? (entry.processes ?? []).map((p) => p.pid) : []
      entry.cgroup = holders.length > 0 ? await resolver.attribute(shared.id, holders) : shared
    }
  }
}

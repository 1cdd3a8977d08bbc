// A listing of the namespace(s) a query names: the caller's (the plan as it is), one
// other (entered for the listing), or all of them, one after the other with the one
// /proc scan shared. listSockets and streamSockets both run here.
import { emitWarning } from 'node:process'
import type { SocketEntry } from './model.js'
import { loadBinding } from './native/load.js'
import { findNetns, netnsNameOf, ownNetnsInode } from './netns/each.js'
import { closeNetns, NetnsError, openNetns, type NetnsRef, type NetnsTarget } from './netns/target.js'
import { planListing, runPlan, sharedScan, type ListInternals, type PlanShared } from './plan.js'
import type { NetnsQuery, NormalizedQuery } from './query.js'

/** How the plan hands out entries (runPlan). */
interface HandOut {
  batches: boolean
}

/** The entries of the query's namespace(s), batch by batch (or whole, as `handOut` says). */
export async function* runListing(query: NormalizedQuery, internals: ListInternals, handOut: HandOut): AsyncGenerator<SocketEntry[], void, undefined> {
  const wanted = query.netns
  if (wanted === null) {
    yield* runPlan(await planListing(query, internals), handOut)
    return
  }
  const own = await ownNetnsInode()
  if (wanted !== 'all') {
    const target = openNamed(wanted)
    try {
      target.name ??= await netnsNameOf(target.inode)
      yield* inNetns(query, internals, handOut, target, own, {})
    } finally {
      closeNetns(target)
    }
    return
  }
  const shared: PlanShared = { scan: sharedScan() }
  for (const found of await findNetns()) {
    query.signal?.throwIfAborted()
    let target: NetnsTarget
    try {
      target = openNetns(found.path, found.name)
    } catch (error) {
      report(query, error as NetnsError)
      continue
    }
    try {
      // A namespace opened through a process that moved or exited meanwhile is another one, or gone.
      if (target.inode !== found.inode) continue
      yield* inNetns(query, internals, handOut, target, own, shared, true)
    } catch (error) {
      if (query.signal?.aborted === true || !isNamespaceFailure(error)) throw error
      report(query, asNetnsError(error, target))
    } finally {
      closeNetns(target)
    }
  }
}

/** The listing of one namespace, each entry tagged with it. The caller's own is read as the caller's (no setns: an unprivileged caller may list it). */
async function* inNetns(
  query: NormalizedQuery,
  internals: ListInternals,
  handOut: HandOut,
  target: NetnsTarget,
  own: number | null,
  shared: PlanShared,
  wrapFailures = false,
): AsyncGenerator<SocketEntry[], void, undefined> {
  const ref: NetnsRef = Object.freeze({ inode: target.inode, name: target.name })
  const netns = target.inode === own ? null : target
  try {
    // Entered once up front, so a refusal says setns (not what the first source opened).
    if (netns !== null) loadBinding().openInNetns(netns.fd, [])
    const plan = await planListing(query, internals, { ...shared, netns })
    for await (const batch of runPlan(plan, handOut)) {
      for (const entry of batch) entry.netns = ref
      yield batch
    }
  } catch (error) {
    if (wrapFailures || query.signal?.aborted === true) throw error
    throw isNamespaceFailure(error) ? asNetnsError(error, target) : error
  }
}

function openNamed(wanted: Exclude<NetnsQuery, 'all'>): NetnsTarget {
  if ('pid' in wanted) {
    try {
      return openNetns(`/proc/${wanted.pid}/ns/net`)
    } catch (error) {
      const e = error as NetnsError
      if (e.code !== 'ENOENT') throw e
      throw new NetnsError(`listSockets: netns ${wanted.pid}: no process ${wanted.pid} (it exited, or is not visible in this pid namespace)`, 'ESRCH', e.path, { cause: e })
    }
  }
  return openNetns(wanted.path, wanted.name)
}

/** Entering the namespace failed (setns), or its file would not open. */
function isNamespaceFailure(error: unknown): boolean {
  return error instanceof NetnsError || (error as { syscall?: unknown } | null)?.syscall === 'setns'
}

function asNetnsError(error: unknown, target: NetnsTarget): NetnsError {
  if (error instanceof NetnsError) return error
  const e = error as NodeJS.ErrnoException
  const label = target.name === null ? `${target.inode} (${target.path})` : `${target.name} (${target.inode})`
  return new NetnsError(`network namespace ${label}: ${e.message}`, e.code ?? 'EIO', target.path, {
    cause: error,
    netns: { inode: target.inode, name: target.name },
    ...(typeof e.syscall === 'string' ? { syscall: e.syscall } : {}),
  })
}

/** A namespace of an 'all' listing that could not be read: to the query's callback, else a warning. */
function report(query: NormalizedQuery, error: NetnsError): void {
  if (query.onNetnsError !== null) query.onNetnsError(error)
  else emitWarning(error.message, { code: 'KNETSTAT_NETNS', detail: `path: ${error.path}` })
}

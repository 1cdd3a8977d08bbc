// A listing of the namespace(s) a query names: the caller's (the plan as it is), one
// other (entered for the listing), or all of them with the one /proc scan shared (a
// few at once for a whole listing, one after the other for a stream). listSockets and
// streamSockets both run here.
import { availableParallelism } from 'node:os'
import { emitWarning } from 'node:process'
import type { SocketEntry } from './model.js'
import { loadBinding } from './native/load.js'
import { findNetworkNamespaces, type NetworkNamespace } from './netns/discover.js'
import { NetnsError } from './netns/errors.js'
import { openNetnsSpec } from './netns/open.js'
import { closeNetns, openNetns, type NetnsRef, type NetnsTarget } from './netns/target.js'
import { planListing, runPlan, sharedScan, type ListInternals, type PlanShared } from './plan.js'
import type { NormalizedQuery } from './query.js'

/** How the plan hands out entries (runPlan). */
interface HandOut {
  batches: boolean
}

/** The entries of the query's namespace(s), batch by batch (or whole, as `handOut` says). */
export async function* runListing(query: NormalizedQuery, internals: ListInternals, handOut: HandOut): AsyncGenerator<SocketEntry[], void, undefined> {
  const spec = query.netns
  if (spec === null) {
    yield* runPlan(await planListing(query, internals), handOut)
    return
  }
  if (spec !== 'all') {
    const { target, own } = await openNetnsSpec(spec)
    try {
      yield* inNetns(query, internals, handOut, target, own, {}, spec)
    } finally {
      closeNetns(target)
    }
    return
  }
  const { namespaces, unreadable } = await findNetworkNamespaces()
  if (unreadable.count > 0) {
    report(
      query,
      new NetnsError(
        'permission',
        spec,
        '/proc',
        `the network namespace of ${unreadable.count} processes (${unreadable.examplePids.join(', ')}${unreadable.count > unreadable.examplePids.length ? ', ...' : ''}) could not be read: a namespace only they are in is not listed; ${process.geteuid?.() === 0 ? 'they are beyond even root here (another user namespace, or a sandbox)' : 'run as root to see every one'}`,
      ),
    )
  }
  const shared: PlanShared = { scan: sharedScan() }
  /** One namespace's batches; none when it could not be read (then it is reported). */
  async function* listOne(found: NetworkNamespace): AsyncGenerator<SocketEntry[], void, undefined> {
    query.signal?.throwIfAborted()
    let target: NetnsTarget
    try {
      target = openNetns(found, 'all')
    } catch (error) {
      // Gone since it was found (its last process exited): nothing to list, nothing to report.
      if (!(error instanceof NetnsError && error.reason === 'no-such-path' && found.firstPid !== null)) report(query, error as NetnsError)
      return
    }
    try {
      yield* inNetns(query, internals, handOut, target, found.own, shared, 'all')
    } catch (error) {
      if (query.signal?.aborted === true || !(error instanceof NetnsError)) throw error
      report(query, error)
    } finally {
      closeNetns(target)
    }
  }
  if (handOut.batches) {
    // A stream: one namespace after the other, in bounded memory.
    for (const found of namespaces) yield* listOne(found)
    return
  }
  // Whole tables: a few namespaces at once, as each dump is mostly the kernel walking
  // its (host-wide) socket hash tables on a thread of its own; handed out in order.
  const collect = async (found: NetworkNamespace): Promise<SocketEntry[][]> => {
    const batches: SocketEntry[][] = []
    for await (const batch of listOne(found)) batches.push(batch)
    return batches
  }
  for await (const batches of inOrder(namespaces, collect, NAMESPACES_AT_ONCE)) yield* batches
}

/** Namespaces listed at the same time by listSockets({ netns: 'all' }): the dumps run on libuv's pool (4 threads). */
const NAMESPACES_AT_ONCE = Math.min(4, Math.max(2, availableParallelism()))

/** `work` of each item, at most `limit` running at once, the results in the items' order. */
async function* inOrder<T, R>(items: readonly T[], work: (item: T) => Promise<R>, limit: number): AsyncGenerator<R, void, undefined> {
  const running: Promise<R>[] = []
  let next = 0
  const start = (): void => {
    const promise = work(items[next++] as T)
    // Settled here too: a rejection is thrown where it is awaited, in order.
    promise.catch(() => undefined)
    running.push(promise)
  }
  while (next < items.length && running.length < limit) start()
  while (running.length > 0) {
    const result = await (running.shift() as Promise<R>)
    if (next < items.length) start()
    yield result
  }
}

/**
 * The listing of one namespace, each entry tagged with it. The caller's own is read
 * as the caller's (no setns: an unprivileged caller may list it). Entering it, and
 * what fails in it, is a NetnsError; what the query asks that no namespace can give
 * (a source the caller may not use) is thrown as the plan throws it.
 */
async function* inNetns(
  query: NormalizedQuery,
  internals: ListInternals,
  handOut: HandOut,
  target: NetnsTarget,
  own: boolean,
  shared: PlanShared,
  spec: string | number,
): AsyncGenerator<SocketEntry[], void, undefined> {
  const ref: NetnsRef = Object.freeze({ inode: target.inode, name: target.name })
  const netns = own ? null : target
  // Entered once up front, so a refusal says setns (not what the first source opened).
  if (netns !== null) enter(netns, spec)
  const plan = await planListing(query, internals, { ...shared, netns })
  try {
    for await (const batch of runPlan(plan, handOut)) {
      for (const entry of batch) entry.netns = ref
      yield batch
    }
  } catch (error) {
    if (query.signal?.aborted === true || error instanceof TypeError) throw error
    const e = error as NodeJS.ErrnoException
    throw new NetnsError('listing-failed', spec, target.path, `network namespace ${label(target)}: ${e.message}`, {
      cause: error,
      netns: ref,
      ...(typeof e.syscall === 'string' ? { syscall: e.syscall } : {}),
    })
  }
}

function enter(target: NetnsTarget, spec: string | number): void {
  try {
    loadBinding().openInNetns(target.fd, [])
  } catch (error) {
    if ((error as { syscall?: unknown }).syscall !== 'setns') throw error
    throw new NetnsError('cannot-enter', spec, target.path, `network namespace ${label(target)}: ${(error as Error).message}`, {
      cause: error,
      netns: { inode: target.inode, name: target.name },
      syscall: 'setns',
    })
  }
}

function label(target: NetnsTarget): string {
  return target.name === null ? `${target.inode} (${target.path})` : `${target.name} (${target.inode})`
}

/** A namespace of an 'all' listing that could not be read: to the query's callback, else a warning. */
function report(query: NormalizedQuery, error: NetnsError): void {
  if (query.onNetnsError !== null) query.onNetnsError(error)
  else emitWarning(error.message, { code: 'KNETSTAT_NETNS', detail: `path: ${error.path ?? '-'}` })
}

// The listing plan: from a normalized query, which sources a listing uses and how it
// runs. listSockets and streamSockets both plan here and run the plan; they differ
// only in how they hand out the entries (all at once, or as batches arrive).
import type { SocketEntry } from './model.js'
import type { NetnsTarget } from './netns/target.js'
import { cgroupFiller } from './cgroups/attach.js'
import { bpfSource } from './sources/bpf/index.js'
import type { NormalizedQuery } from './query.js'
import { MODULE_DIR, moduleSource } from './sources/module/index.js'
import { listFromNetlink, netlinkBatches, readCgroupId, readCookieKey, readListedAttributes, STREAM_BATCH_BYTES } from './sources/netlink/index.js'
import { pidfdSource } from './sources/pidfd/index.js'
import { processesSource, scanProcesses, type ProcessScan } from './sources/processes/index.js'
import { listFromReplay } from './sources/replay/index.js'
import { isReason, type Reason, type Source, type SourceContext } from './sources/source.js'
import { noOptions, unavailableError } from './sources/why-no-options.js'

/** Internal knobs of a listing (tests); not part of the public API. */
export interface ListInternals {
  /** Where the module's files are looked for (default /proc/net). */
  moduleDir?: string
  /** A stream: sources fill batch by batch in bounded memory where they can (SourceContext.stream). */
  stream?: boolean
}

/** What a listing of one namespace among several is given: the namespace, and the one /proc scan they share. */
export interface PlanShared {
  netns?: NetnsTarget | null
  scan?: () => Promise<ProcessScan>
}

/**
 * Where each `options` query looks for options, in order: the first source that can
 * serve the caller is used. Adding an option source: its folder under src/sources/,
 * and its place here.
 */
const OPTION_SOURCES: Record<'auto' | 'module' | 'bpf' | 'pidfd', readonly Source[]> = {
  // The module when its files exist, else the BPF socket iterator when the caller may
  // load it, else pidfd; what one cannot read (the module withholds, the iterator had
  // not seen yet), the next tries.
  auto: [moduleSource({ withheld: [bpfSource({ unread: [pidfdSource] }), pidfdSource] }), bpfSource({ unread: [pidfdSource] }), pidfdSource],
  module: [moduleSource()],
  bpf: [bpfSource()],
  pidfd: [pidfdSource],
}


/** Where a listing's options come from. */
export type OptionsPlan =
  /** Not asked for (options: false), or carried by the list itself (a recording). */
  | { readonly from: 'none' }
  /** A source; `then` are tried in turn should it go away before it is read (the module unloaded). */
  | { readonly from: 'source'; readonly source: Source; readonly then: readonly Source[] }
  /** Options 'auto' where no source can serve the caller (a stale addon): every entry says why. */
  | { readonly from: 'nowhere'; readonly why: Reason }

export interface ListingPlan {
  readonly context: SourceContext
  /** Where the sockets come from: the kernel's netlink dump, or a recording. */
  readonly list: 'netlink' | 'replay'
  readonly options: OptionsPlan
  /** The processes source, when the query asks for processes. */
  readonly processes: Source | null
  /** Whether entries say their cgroup (after the processes, whose cgroup stands in where the id has no path). */
  readonly cgroup: boolean
  /** Whether the listing scans /proc: for processes, or for the holders pidfd reads through. */
  readonly scan: boolean
  /**
   * Whether it can be handed out batch by batch in bounded memory. Not when a source
   * needs the whole table (the module's join) or the list is read whole (a recording).
   */
  readonly bounded: boolean
}

/**
 * Plans a listing. Throws (rejects) when a source the query names cannot serve the
 * caller: options 'module' without the module (ENOENT), options 'pidfd' or processes
 * with an addon too old for them (NativeLoadError).
 */
export async function planListing(query: NormalizedQuery, internals: ListInternals = {}, shared: PlanShared = {}): Promise<ListingPlan> {
  const context = listingContext(query, internals, shared)
  if (query.procNet !== null) {
    return { context, list: 'replay', options: { from: 'none' }, processes: null, cgroup: false, scan: false, bounded: false }
  }
  let processes: Source | null = null
  if (query.processes) {
    const why = await processesSource.unavailable(context)
    if (why !== null) throw unavailableError(why)
    processes = processesSource
  }
  const options: OptionsPlan = query.options === false ? { from: 'none' } : await chooseOptions(context, OPTION_SOURCES[query.options])
  const sources = [processes, options.from === 'source' ? options.source : null].filter((s) => s !== null)
  return {
    context,
    list: 'netlink',
    options,
    processes,
    cgroup: query.cgroup,
    scan: sources.some((s) => s.needsScan),
    bounded: sources.every((s) => s.partial),
  }
}

/** Options from a source, or from nowhere. */
type Chosen = Exclude<OptionsPlan, { from: 'none' }>

/** The first of `candidates` that can serve the caller, or what to do when none can. */
async function chooseOptions(context: SourceContext, candidates: readonly Source[]): Promise<Chosen> {
  let why: Reason = { code: 'ENOENT', source: 'module', cause: 'not-loaded' }
  for (const [i, source] of candidates.entries()) {
    const unavailable = await source.unavailable(context)
    if (unavailable === null) return { from: 'source', source, then: candidates.slice(i + 1) }
    why = unavailable
  }
  return noSource(context, why)
}

/** 'auto' never fails for want of options: the entries say why. A source the query names does. */
function noSource(context: SourceContext, why: Reason): Chosen {
  if (context.query.options === 'auto') return { from: 'nowhere', why }
  throw unavailableError(why)
}

/** The listing's one /proc scan, started by the first source that asks. */
export function sharedScan(): () => Promise<ProcessScan> {
  let scanning: Promise<ProcessScan> | null = null
  return () => (scanning ??= scanProcesses())
}

function listingContext(query: NormalizedQuery, internals: ListInternals, shared: PlanShared): SourceContext {
  return {
    query,
    moduleDir: internals.moduleDir ?? MODULE_DIR,
    netns: shared.netns ?? null,
    stream: internals.stream === true,
    scan: shared.scan ?? sharedScan(),
    listed: readListedAttributes,
    cookieOf: readCookieKey,
  }
}

/** Fills a batch of entries: what one source does to each batch. */
type Step = (batch: SocketEntry[]) => Promise<void>

/**
 * Runs a plan: yields the entries with their options and processes. With `batches`
 * and a bounded plan, batch by batch as the dump arrives (the /proc scan and what the
 * sources read start beside its first reads); otherwise all at once. Leaving early
 * closes the netlink socket; the query's signal is honoured between batches.
 */
export async function* runPlan(plan: ListingPlan, handOut: { batches: boolean }): AsyncGenerator<SocketEntry[], void, undefined> {
  const { query } = plan.context
  query.signal?.throwIfAborted()
  if (plan.list === 'replay') {
    // The recording carries the options (and says why a line has none).
    yield await listFromReplay(query, query.procNet as NonNullable<NormalizedQuery['procNet']>)
    return
  }
  // Started before the dump's first read, so they run beside it: the /proc scan, the
  // module's files, the sysctl defaults. A rejection is settled here if the consumer
  // stops before the first batch, and thrown when the batch awaits it.
  if (plan.scan) settled(plan.context.scan())
  const steps: Promise<Step>[] = []
  if (plan.processes !== null) steps.push(settled(openStep(plan.processes, plan.context)))
  if (plan.options.from === 'source') steps.push(settled(openOptions(plan.options.source, plan.options.then, plan.context)))
  if (plan.options.from === 'nowhere') steps.push(Promise.resolve(sayWhy(plan.options.why)))
  if (plan.cgroup) steps.push(Promise.resolve(cgroupFiller(readCgroupId)))
  const netnsFd = plan.context.netns?.fd
  const batches = handOut.batches && plan.bounded ? netlinkBatches(query, { batchBytes: STREAM_BATCH_BYTES, netnsFd }) : whole(query, netnsFd)
  for await (const batch of batches) {
    for (const step of steps) await (await step)(batch)
    query.signal?.throwIfAborted()
    yield batch
  }
}

async function* whole(query: NormalizedQuery, netnsFd: number | undefined): AsyncGenerator<SocketEntry[], void, undefined> {
  yield await listFromNetlink(query, { netnsFd })
}

function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

/** Every entry of the batch says why it has no options. */
function sayWhy(why: Reason): Step {
  return async (batch) => {
    for (const entry of batch) noOptions(entry, why)
  }
}

async function openStep(source: Source, context: SourceContext): Promise<Step> {
  const filler = await source.open(context)
  if (isReason(filler)) throw unavailableError(filler)
  return (batch) => filler.fill(batch)
}

/** Opens the option source; should it have gone away since it was chosen, the next that can serve the caller. */
async function openOptions(source: Source, then: readonly Source[], context: SourceContext): Promise<Step> {
  const filler = await source.open(context)
  if (!isReason(filler)) return (batch) => filler.fill(batch)
  const next = then.length > 0 ? await chooseOptions(context, then) : noSource(context, filler)
  return next.from === 'source' ? openOptions(next.source, next.then, context) : sayWhy(next.why)
}

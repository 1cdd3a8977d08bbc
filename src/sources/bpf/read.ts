// The bpf source's driver: loads the socket programs once per process (per worker
// thread: each has its own addon instance), reads the protocols' tables beside the
// netlink dump, and joins records to entries by socket cookie, an exact key (never by
// position). The dump gives every socket it lists a cookie; a socket the programs read
// before that has cookie 0 in its record, and is found by inode, or in a second read.
import type { NativeBinding } from '../../../types/binding.js'
import { isMinisocket, type Proto, type SocketEntry } from '../../model.js'
import { loadBinding } from '../../native/load.js'
import { breathe, SLICE } from '../../util/breathe.js'
import type { CookieKey } from '../../util/cookie.js'
import { cookieKeyFromDetails, type Missing, type Reason } from '../source.js'
import { noOptions } from '../why-no-options.js'
import { toSocketOptions } from './semantics.js'
import { BpfSocketRecords, BPF_SLOT } from './socket-record.js'
import { TableWindow } from './window.js'

const MINISOCKET: Reason = { code: 'ENOENT', source: 'bpf', cause: 'minisocket' }
const UNMATCHED: Reason = { code: 'ENOENT', source: 'bpf', cause: 'unmatched' }

type BpfReader = Pick<NativeBinding, 'openBpfReader' | 'readBpfSockets' | 'openBpfCursor' | 'readBpfCursor'>

/**
 * The addon's reader, iterating the network namespace `netnsFd` (undefined: the
 * caller's). The programs are loaded once for all namespaces: the iteration is
 * what belongs to one.
 */
export function readerInNetns(netnsFd: number | undefined, reader: BpfReader = loadBinding()): BpfReader {
  if (netnsFd === undefined) return reader
  return {
    openBpfReader: () => reader.openBpfReader(),
    readBpfSockets: (tcp) => reader.readBpfSockets(tcp, netnsFd),
    openBpfCursor: (tcp) => reader.openBpfCursor(tcp, netnsFd),
    readBpfCursor: (handle, min) => reader.readBpfCursor(handle, min),
  }
}

/** The kernel's HZ once the programs are loaded; why not, when they cannot be. */
export type Opened = { hz: number } | Reason

const opened = new WeakMap<BpfReader, Promise<Opened>>()

/**
 * Loads the programs (once per addon instance): the kernel's HZ, or why the source
 * cannot serve. Running out of file descriptors is not an answer about BPF: it
 * rejects (as every reader does) and is not remembered, so a later listing loads.
 */
export function openBpf(reader: BpfReader = loadBinding()): Promise<Opened> {
  let opening = opened.get(reader)
  if (opening === undefined) {
    opening = reader.openBpfReader().then(
      ({ hz }) => ({ hz }),
      (error: NodeJS.ErrnoException & { cause?: unknown }): Reason => {
        if (error.code === 'EMFILE' || error.code === 'ENFILE') {
          opened.delete(reader)
          throw error
        }
        return { code: error.code ?? 'UNKNOWN', source: 'bpf', cause: bpfCause(error.cause), syscall: error.syscall, detail: error.message }
      },
    )
    opened.set(reader, opening)
  }
  return opening
}

function bpfCause(cause: unknown): Reason['cause'] {
  switch (cause) {
    case 'no-btf':
    case 'old-kernel':
    case 'no-privilege':
    case 'lockdown':
    case 'layout':
      return cause
    default:
      return 'failed'
  }
}

/** One read of the tables of `protos`. */
export async function readTables(protos: readonly Proto[], reader: BpfReader = loadBinding()): Promise<Map<Proto, BpfSocketRecords>> {
  const read = await Promise.all(protos.map(async (p) => [p, new BpfSocketRecords(await reader.readBpfSockets(p === 'tcp'))] as const))
  return new Map(read)
}

interface Found {
  records: BpfSocketRecords
  index: number
}

/** Records by cookie, and (records read before the dump gave their socket a cookie) by inode. */
async function index(tables: Map<Proto, BpfSocketRecords>): Promise<{ byCookie: Map<CookieKey, Found>; byInode: Map<number, Found> }> {
  const byCookie = new Map<CookieKey, Found>()
  const byInode = new Map<number, Found>()
  for (const records of tables.values()) {
    for (let i = 0; i < records.count; i++) {
      if (i % (SLICE * 4) === 0 && i > 0) await breathe()
      const found = { records, index: i }
      const cookie = records.cookieKey(i)
      if (cookie !== null) byCookie.set(cookie, found)
      else if ((records.value(i, BPF_SLOT.inode) ?? 0) !== 0) byInode.set(records.value(i, BPF_SLOT.inode) as number, found)
    }
  }
  return { byCookie, byInode }
}


/**
 * Fills `options`/`optionsSource` of every entry the programs read; minisockets
 * (TIME_WAIT, request sockets) have none. Entries no record matches even after a
 * second read (sockets created after it) go to `unread` when given (the pidfd source,
 * under options 'auto'), else to `missing`.
 */
export async function fillOptionsFromBpf(
  entries: SocketEntry[],
  first: Promise<Map<Proto, BpfSocketRecords>>,
  hz: number,
  missing: Missing = noOptions,
  unread?: (entries: SocketEntry[], missing: Missing) => Promise<void>,
  cookieOf: (entry: SocketEntry) => CookieKey | null = cookieKeyFromDetails,
  reader: BpfReader = loadBinding(),
): Promise<void> {
  let pending: SocketEntry[] = []
  for (const [n, entry] of entries.entries()) {
    if (n % SLICE === 0 && n > 0) await breathe()
    if (isMinisocket(entry)) missing(entry, MINISOCKET)
    else pending.push(entry)
  }
  for (const read of [first, null]) {
    if (pending.length === 0) return
    const protos = [...new Set(pending.map((e) => e.proto))]
    const { byCookie, byInode } = await index(await (read ?? readTables(protos, reader)))
    const left: SocketEntry[] = []
    for (const [n, entry] of pending.entries()) {
      if (n % SLICE === 0 && n > 0) await breathe()
      const cookie = cookieOf(entry)
      const found = (cookie === null ? undefined : byCookie.get(cookie)) ?? (entry.inode === null ? undefined : byInode.get(entry.inode))
      if (found === undefined) {
        left.push(entry)
        continue
      }
      setOptions(entry, found.records, found.index, hz)
    }
    pending = left
  }
  await passOn(pending, missing, unread)
}

function setOptions(entry: SocketEntry, records: BpfSocketRecords, index: number, hz: number): void {
  entry.options = toSocketOptions(records, index, entry, hz)
  entry.optionsSource = 'bpf'
  delete entry.optionsError
}

/** What no record matched: to the next source when there is one, else why. */
async function passOn(entries: SocketEntry[], missing: Missing, unread?: (entries: SocketEntry[], missing: Missing) => Promise<void>): Promise<void> {
  if (entries.length === 0) return
  if (unread !== undefined) await unread(entries, missing)
  else for (const entry of entries) missing(entry, UNMATCHED)
}

/** A stream's windows, one per protocol (window.ts). */
export function streamWindows(reader: BpfReader = loadBinding()): Map<Proto, TableWindow> {
  return new Map<Proto, TableWindow>([
    ['tcp', new TableWindow('tcp', reader)],
    ['udp', new TableWindow('udp', reader)],
  ])
}

/**
 * A stream's batch, in dump order, through the windows: as fillOptionsFromBpf, with
 * the records read a part at a time and forgotten once behind (bounded memory); what
 * a window misses goes to `unread`, else to `missing`.
 */
export async function fillBatchFromBpf(
  batch: SocketEntry[],
  windows: Map<Proto, TableWindow>,
  hz: number,
  missing: Missing = noOptions,
  unread?: (entries: SocketEntry[], missing: Missing) => Promise<void>,
  cookieOf: (entry: SocketEntry) => CookieKey | null = cookieKeyFromDetails,
): Promise<void> {
  const missed: SocketEntry[] = []
  for (const [n, entry] of batch.entries()) {
    if (n % SLICE === 0 && n > 0) await breathe()
    if (isMinisocket(entry)) {
      missing(entry, MINISOCKET)
      continue
    }
    const slot = await (windows.get(entry.proto) as TableWindow).find(cookieOf(entry), entry.inode)
    if (slot === undefined) missed.push(entry)
    else setOptions(entry, slot.records, slot.index, hz)
  }
  await passOn(missed, missing, unread)
}

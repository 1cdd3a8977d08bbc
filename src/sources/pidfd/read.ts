// The pidfd source's driver: reads the options of sockets held by processes the
// caller may ptrace, with pidfd_open + pidfd_getfd + getsockopt (Linux >= 5.6, no
// module), trying each socket's holders in turn until one may be read. Why a socket
// cannot be read is given as a Reason (src/sources/source.ts); the words are
// why-no-options.ts's.
import type { NativeBinding } from '../../../types/binding.js'
import { isMinisocket, type SocketEntry, type SocketHolder } from '../../model.js'
import { breathe, SLICE } from '../../util/breathe.js'
import { errnoName } from '../../util/errno.js'
import type { ProcessScan } from '../processes/index.js'
import type { ListedReader, Missing, Reason } from '../source.js'
import { noOptions } from '../why-no-options.js'
import { pidfdBinding } from './binding.js'
import { OptionRecords, SLOT, SYSCALLS } from './option-record.js'
import { fillFromNetlink, fromEntry, targetHints } from './netlink-known.js'
import { toSocketOptions } from './semantics.js'
import { readSysctlDefaults, readYamaScope, type SysctlDefaults } from './sysctl.js'
import { Undecidable } from './undecidable.js'

const ESTALE = 116
/** ESTALE from fstat: the descriptor now names another file (closed, and the number reused). */
const SYSCALL_FSTAT = SYSCALLS.indexOf('fstat')

/**
 * Targets per readSocketOptions call: big enough for the addon's threads (4096 each)
 * and a process's pidfd opened once per chunk, small enough that decoding one chunk
 * overlaps reading the next.
 */
const READ_CHUNK = 16384

/** Errors after which another holder of the same socket may still succeed. */
const RETRY = new Set(['EPERM', 'ESRCH', 'EBADF', 'ESTALE', 'EACCES'])

/** Why a socket with no holder to try has no options. */
function unheld(entry: SocketEntry, scan: ProcessScan, euid: number): Reason {
  if (entry.inode === null) return { code: 'ENOENT', source: 'pidfd', cause: isMinisocket(entry) ? 'minisocket' : 'no-file' }
  // A process we could not look into may hold it: as root, one whose fd directory
  // was refused; otherwise any other user's (hidepid hides them from the scan).
  const hiddenOwner = euid === 0 ? scan.hidden.length > 0 : entry.uid !== euid
  return hiddenOwner ? { code: 'EPERM', source: 'pidfd', cause: 'hidden-holder' } : { code: 'ESRCH', source: 'pidfd', cause: 'no-holder' }
}

/** Why reading the socket through `holder` failed with `code` in `syscall`. */
function failed(code: string, entry: SocketEntry, holder: SocketHolder, syscall: string, yamaScope: number | null): Reason {
  const at = { source: 'pidfd', holder, syscall } as const
  switch (code) {
    case 'EPERM':
    case 'EACCES':
      return { ...at, code: 'EPERM', cause: 'not-ptraceable', yamaScope }
    case 'ENOSYS':
      return { ...at, code, cause: 'no-syscall' }
    case 'ENOENT':
      return { ...at, code, cause: isMinisocket(entry) ? 'minisocket' : 'no-file' }
    case 'ESRCH':
      return { ...at, code, cause: 'no-holder' }
    case 'EBADF':
    case 'ESTALE':
      return { ...at, code, cause: 'closed' }
    default:
      return { ...at, code, cause: 'failed' }
  }
}

/**
 * Fills `options`/`optionsSource` of every entry it can read; hands each other entry,
 * with why, to `missing` (default: `options: null` with `optionsError`). One socket's
 * failure never fails the listing. `listed` reads what the netlink dump carried
 * (netlink-known.ts; default: from `entry.netlink`).
 */
export async function fillOptionsFromPidfd(
  entries: SocketEntry[],
  scan: ProcessScan,
  sys?: SysctlDefaults,
  reader: Pick<NativeBinding, 'readSocketOptions'> = pidfdBinding(),
  missing: Missing = noOptions,
  listed: ListedReader = fromEntry,
): Promise<void> {
  const [defaults, scope] = await Promise.all([sys ?? readSysctlDefaults(), readYamaScope()])
  const euid = process.geteuid?.() ?? -1
  // Socket -> its holders; each round tries the next holder of sockets still unread.
  interface Pending {
    entry: SocketEntry
    holders: SocketHolder[]
    next: number
    why?: Reason
  }
  let pending: Pending[] = []
  for (let n = 0; n < entries.length; n++) {
    if (n % SLICE === 0 && n > 0) await breathe()
    const entry = entries[n] as SocketEntry
    entry.options = null
    entry.optionsSource = null
    delete entry.optionsError
    delete entry.optionsUndecidable
    const holders = entry.inode === null ? undefined : scan.holders.get(entry.inode)
    if (holders === undefined) missing(entry, unheld(entry, scan, euid))
    else pending.push({ entry, holders, next: 0 })
  }
  while (pending.length > 0) {
    // One target per socket, grouped by pid so each process's pidfd opens once.
    const byPid = new Map<number, { p: Pending; holder: SocketHolder }[]>()
    for (let n = 0; n < pending.length; n++) {
      if (n % (SLICE * 4) === 0 && n > 0) await breathe()
      const p = pending[n] as Pending
      const holder = p.holders[p.next] as SocketHolder
      const group = byPid.get(holder.pid)
      if (group === undefined) byPid.set(holder.pid, [{ p, holder }])
      else group.push({ p, holder })
    }
    const round = [...byPid.values()].flat()
    const targets = new Uint32Array(round.length * 4)
    round.forEach(({ p, holder }, i) => {
      targets[i * 4] = holder.pid
      targets[i * 4 + 1] = holder.fd
      targets[i * 4 + 2] = p.entry.inode as number
      targets[i * 4 + 3] = targetHints(p.entry, listed)
    })
    // Read in chunks, the next one on the addon's threads while this one is turned
    // into options here: the decoding hides behind the reading.
    const read = (from: number): Promise<Uint8Array> => {
      const reading = reader.readSocketOptions(targets.subarray(from * 4, Math.min(round.length, from + READ_CHUNK) * 4))
      reading.catch(() => undefined) // awaited below; not unhandled if decoding throws first
      return reading
    }
    const again: Pending[] = []
    let reading = read(0)
    for (let from = 0; from < round.length; from += READ_CHUNK) {
      const records = new OptionRecords(await reading)
      if (from + READ_CHUNK < round.length) reading = read(from + READ_CHUNK)
      for (let k = 0; k < records.count; k++) {
        const i = from + k
        if (i % SLICE === 0 && i > 0) await breathe()
        const { p, holder } = round[i] as (typeof round)[number]
        const errno = records.value(k, SLOT.errno) ?? 0
        if (errno === 0) {
          fillFromNetlink(records, k, p.entry, targets[i * 4 + 3] as number, listed)
          const undecidable = new Undecidable()
          p.entry.options = toSocketOptions(records, k, p.entry, defaults, undecidable)
          undecidable.applyTo(p.entry)
          p.entry.optionsSource = 'pidfd'
          continue
        }
        const syscallId = records.value(k, SLOT.syscall) ?? 0
        const code = syscallId === SYSCALL_FSTAT && errno === ESTALE ? 'ESTALE' : errnoName(errno)
        // Keep the most telling reason: a permission error beats "it went away".
        const why = failed(code, p.entry, holder, SYSCALLS[syscallId] ?? '', scope)
        if (p.why === undefined || why.code === 'EPERM' || why.code === 'ENOSYS') p.why = why
        p.next++
        if (RETRY.has(code) && p.next < p.holders.length) again.push(p)
        else missing(p.entry, p.why)
      }
    }
    pending = again
  }
}

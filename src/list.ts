// listSockets: the library's main job.
import type { SocketEntry } from './model.js'
import { normalizeQuery, type ListQuery, type NormalizedQuery } from './query.js'
import { listFromNetlink } from './sources/netlink/index.js'
import { listFromReplay } from './sources/replay.js'
import { fillOptionsFromPidfd } from './sources/pidfd.js'
import { attachProcesses, hasPidfdSupport, scanProcesses, STALE_BINARY_MESSAGE } from './sources/processes.js'
import { fillOptionsFromModule, MODULE_DIR, moduleFilesPresent, moduleMissingError, readModuleTexts } from './sources/module.js'

/**
 * Lists the host's TCP and UDP sockets (of the caller's network namespace) over
 * netlink sock_diag, in the order tcp4, tcp6, udp4, udp6, with their options (from
 * the knetstat kernel module's files when it is loaded, else pidfd_getfd + getsockopt
 * where permitted; see `options`) and, when asked, the
 * processes holding them. Throws a TypeError for a bad query; rejects with an Error
 * carrying `code`, `errno` and `syscall` when the kernel refuses the dump. A socket
 * whose options cannot be read has `options: null` and `optionsError`; it never
 * fails the listing.
 */
export async function listSockets(query?: ListQuery): Promise<SocketEntry[]> {
  return listSocketsWith(query, {})
}

/** Internal knobs of a listing (tests); not part of the public API. */
export interface ListInternals {
  /** Where the module's files are looked for (default /proc/net). */
  moduleDir?: string
}

/** listSockets with internal knobs (tests point the module source at another directory). */
export async function listSocketsWith(query: ListQuery | undefined, internals: ListInternals): Promise<SocketEntry[]> {
  const normalized = normalizeQuery(query)
  normalized.signal?.throwIfAborted()
  const entries = await listWith(normalized, internals)
  // Work after the dump (options, processes) ends here too once the signal fires.
  normalized.signal?.throwIfAborted()
  return entries
}

async function listWith(normalized: NormalizedQuery, internals: ListInternals): Promise<SocketEntry[]> {
  if (normalized.procNet !== null) return listFromReplay(normalized, normalized.procNet)
  const wantOptions = normalized.options !== false
  if (!wantOptions && !normalized.processes) return listFromNetlink(normalized)
  // 'auto' means the kernel module when its files exist, else pidfd; 'module' only the module.
  if (normalized.options === 'auto' || normalized.options === 'module') {
    const dir = internals.moduleDir ?? MODULE_DIR
    if (await moduleFilesPresent(dir)) {
      // The dump, the module's files (and the /proc scan for processes) side by side.
      const [entries, texts, scan] = await Promise.all([
        listFromNetlink(normalized),
        readModuleTexts(normalized, dir),
        normalized.processes ? scanProcesses() : null,
      ])
      if (texts !== null) {
        if (scan !== null) await attachProcesses(entries, scan)
        // 'auto': the options the module withheld from this caller are tried through pidfd.
        await fillOptionsFromModule(entries, texts, dir, normalized.options === 'auto' ? { scan } : undefined)
        return entries
      }
      // Unloaded between the check and the read: as if it had never been there.
    }
    if (normalized.options === 'module') throw moduleMissingError(dir)
  }
  if (normalized.options === 'auto' && !normalized.processes && !hasPidfdSupport()) {
    // A stale binary without the pidfd reader: the listing still works, and says why
    // there are no options. Asking for 'pidfd' or processes explicitly throws instead.
    const entries = await listFromNetlink(normalized)
    for (const entry of entries) entry.optionsError = { code: 'ERR_KNETSTAT_NATIVE_LOAD', message: STALE_BINARY_MESSAGE }
    return entries
  }
  // The dump and the /proc scan run side by side on two worker threads.
  const [entries, scan] = await Promise.all([listFromNetlink(normalized), scanProcesses()])
  if (normalized.processes) await attachProcesses(entries, scan)
  if (wantOptions) await fillOptionsFromPidfd(entries, scan)
  return entries
}

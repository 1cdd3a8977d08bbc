// Withheld lines: the module prints a socket's options only to a reader (the file's
// opener) whose fsuid is the socket's owner, or who has CAP_SYS_PTRACE in the user
// namespace owning the socket's network namespace; for anyone else the line ends
// after the state and diag columns (TCP) or the foreign address (UDP). Such a line
// looks like a minisocket's (TIME_WAIT, request sockets), which has no options at
// all; the entry's state and file tell them apart (withheldByModule). A withheld
// entry is never left looking option-less: with options 'auto' another source (the
// pidfd source) tries it (readWithheld), and what neither can read is EPERM with
// what to do (docs/options.md, docs/security.md).
import { isMinisocket, type SocketEntry } from '../../model.js'
import { fillThrough, type Missing, type Reason, type Source, type SourceContext } from '../source.js'

/** Why an entry whose line the module withheld has no options. */
export const WITHHELD: Reason = { code: 'EPERM', source: 'module', cause: 'withheld' }

/**
 * Whether a module line without options, paired with `entry`, means the module
 * withheld the options (the socket has them) rather than that there are none: it
 * does for every full socket, and prints no options for minisockets (isMinisocket,
 * src/model.ts), which no source could read.
 */
export function withheldByModule(entry: Pick<SocketEntry, 'proto' | 'state' | 'inode'>): boolean {
  return !isMinisocket(entry)
}

/**
 * The entries whose options the module withheld, through the first of `next` that can
 * serve the caller (the bpf source, else pidfd): those it may read get their options
 * from it; the others keep options null with EPERM, saying why it could not read them
 * either. An entry with no file (an orphan, a connection not yet accept()ed) has no
 * holder for a source that reads through processes (pidfd): it is not tried there,
 * and no /proc scan is made for it.
 */
export async function readWithheld(withheld: SocketEntry[], next: readonly Source[], context: SourceContext, missing: Missing): Promise<void> {
  const neither: Missing = (entry, why) => missing(entry, { ...WITHHELD, fallback: why })
  const fileless = (source: Source, entry: SocketEntry): Reason | null =>
    entry.inode === null && source.needsScan ? { code: 'ENOENT', source: source.name, cause: 'no-file' } : null
  await fillThrough(next, withheld, context, neither, fileless)
}

// The one error a netns spec gives: what was asked, where it was looked for, what to do;
// and what an 'all' listing reports of a namespace it could not read.
import type { NetnsRef } from './target.js'

/** Why a `netns` value names no network namespace this caller can enter. */
export type NetnsErrorReason =
  | 'invalid' // not a name, path or pid at all
  | 'no-such-name' // no /run/netns/NAME
  | 'no-such-path' // the path does not exist
  | 'no-such-process' // no /proc/PID
  | 'not-a-namespace' // the file is not on nsfs
  | 'not-a-network-namespace' // a namespace of another type (mnt, pid, ...)
  | 'permission' // EACCES/EPERM opening it
  | 'cannot-enter' // setns refused (no CAP_SYS_ADMIN over it, and not the owner of its user namespace)
  | 'replaced' // the file named another namespace by the time it was opened
  | 'listing-failed' // entered, but a source failed there (`cause`)

/** A query's `netns` names no network namespace the caller can use; `message` says what to do. */
export class NetnsError extends Error {
  override readonly name = 'NetnsError'
  readonly code = 'ERR_KNETSTAT_NETNS'

  constructor(
    readonly reason: NetnsErrorReason,
    /** The value as the query gave it. */
    readonly spec: string | number,
    /** The file it was looked for at, when it came to one. */
    readonly path: string | null,
    message: string,
    options?: { cause?: unknown; netns?: NetnsRef; syscall?: string },
  ) {
    super(message, options)
    this.netns = options?.netns ?? null
    this.syscall = options?.syscall
  }

  /** The namespace, once it was identified. */
  readonly netns: NetnsRef | null
  /** The system call that failed ('setns', 'open', ...), when one did. */
  readonly syscall: string | undefined
}

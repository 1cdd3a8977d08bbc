// The one error a netns spec gives: what was asked, where it was looked for, what to do.

/** Why a `netns` value names no network namespace this caller can enter. */
export type NetnsErrorReason =
  | 'invalid' // not a name, path or pid at all
  | 'no-such-name' // no /run/netns/NAME
  | 'no-such-path' // the path does not exist
  | 'no-such-process' // no /proc/PID
  | 'not-a-namespace' // the file is not on nsfs
  | 'not-a-network-namespace' // a namespace of another type (mnt, pid, ...)
  | 'permission' // EACCES/EPERM opening it

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
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

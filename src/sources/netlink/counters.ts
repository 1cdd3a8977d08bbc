// Totals of this thread's netlink dumps since it loaded knetstat, for tests and
// debugging; not part of the API.

/**
 * Dumps read, repeats dropped (the kernel sent a socket twice in one dump),
 * interrupted passes, and listings read again because of one.
 */
export const dumpCounters = { dumps: 0, duplicates: 0, interrupted: 0, listRetries: 0 }

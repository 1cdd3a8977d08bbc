// The pidfd source: the exact options of sockets held by processes the caller may
// ptrace (pidfd_open + pidfd_getfd + getsockopt, Linux >= 5.6, no module), read
// through the holders the /proc scan finds. Works on any part of the table.
import type { Filler, Source, SourceContext } from '../source.js'
import { STALE_BINARY } from '../why-no-options.js'
import { hasPidfdSupport } from './binding.js'
import { fillOptionsFromPidfd } from './read.js'
import { readSysctlDefaults } from './sysctl.js'

export { hasPidfdSupport, pidfdBinding } from './binding.js'
export { OptionRecords, SLOT, SYSCALLS } from './option-record.js'
export { fillOptionsFromPidfd } from './read.js'
export { fillFromNetlink, HINT, targetHints } from './netlink-known.js'
export { toSocketOptions, unsetValue } from './semantics.js'
export { readSysctlDefaults, type SysctlDefaults } from './sysctl.js'

export const pidfdSource: Source = {
  name: 'pidfd',
  partial: true,
  needsScan: true,
  async unavailable() {
    return hasPidfdSupport() ? null : STALE_BINARY
  },
  async open(context: SourceContext): Promise<Filler> {
    const [scan, defaults] = await Promise.all([context.scan(), readSysctlDefaults(undefined, context.netns)])
    return { fill: (entries, missing) => fillOptionsFromPidfd(entries, scan, defaults, undefined, missing, context.listed) }
  },
}

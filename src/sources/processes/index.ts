// The processes source: which processes hold each socket, from one /proc scan per
// listing (the scan the pidfd source reads options through). Works on any part of
// the table.
import { hasProcessScan } from './binding.js'
import type { Filler, Source, SourceContext } from '../source.js'
import { STALE_BINARY } from '../why-no-options.js'
import { attachProcesses } from './attach.js'

export { attachProcesses } from './attach.js'
export { hasProcessScan, scanBinding } from './binding.js'
export { scanProcesses, type HiddenProcess, type ProcessScan } from './scan.js'

export const processesSource: Source = {
  name: 'processes',
  partial: true,
  needsScan: true,
  async unavailable() {
    return hasProcessScan() ? null : { ...STALE_BINARY, source: 'processes' }
  },
  async open(context: SourceContext): Promise<Filler> {
    const scan = await context.scan()
    return { fill: (entries) => attachProcesses(entries, scan) }
  },
}

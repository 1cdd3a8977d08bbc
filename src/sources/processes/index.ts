// The processes source: which processes hold each socket, from one /proc scan per
// listing (the scan the pidfd source reads options through). Works on any part of
// the table.
import { hasPidfdSupport } from '../pidfd/index.js'
import type { Filler, Source, SourceContext } from '../source.js'
import { STALE_BINARY } from '../why-no-options.js'
import { attachProcesses } from './attach.js'

export { attachProcesses } from './attach.js'
export { scanProcesses, type HiddenProcess, type ProcessScan } from './scan.js'

export const processesSource: Source = {
  name: 'processes',
  partial: true,
  needsScan: true,
  async unavailable() {
    // The scan is the addon's, of the same vintage as its pidfd reader.
    return hasPidfdSupport() ? null : { ...STALE_BINARY, source: 'processes' }
  },
  async open(context: SourceContext): Promise<Filler> {
    const scan = await context.scan()
    return { fill: (entries) => attachProcesses(entries, scan) }
  },
}

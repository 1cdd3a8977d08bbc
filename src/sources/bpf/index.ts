// The bpf source: the kernel module's exactness without the module. A BPF program on
// the iter/tcp and iter/udp socket iterators (src-native/bpf/) reads the fields the
// module reads, for every socket of the caller's network namespace, those no process
// holds included; needs CAP_BPF + CAP_PERFMON (or root), BTF and Linux >= 5.9.
import type { SocketEntry } from '../../model.js'
import { fillThrough, type Filler, type Missing, type Reason, type Source, type SourceContext } from '../source.js'
import { hasBpfSupport } from './binding.js'
import { fillBatchFromBpf, fillOptionsFromBpf, openBpf, readerInNetns, readTables, streamWindows } from './read.js'

export { hasBpfSupport } from './binding.js'
export { fillBatchFromBpf, fillOptionsFromBpf, openBpf, readerInNetns, readTables, streamWindows } from './read.js'
export { MAX_AHEAD, TableWindow } from './window.js'
export { deferAcceptSeconds, toSocketOptions } from './semantics.js'
export { BpfSocketRecords, BPF_ABI_VERSION, BPF_SLOT } from './socket-record.js'

const STALE: Reason = { code: 'ERR_KNETSTAT_NATIVE_LOAD', source: 'bpf', cause: 'stale-binary' }

export interface BpfSourceOptions {
  /** The sources that try the entries the programs did not read (sockets newer than the read), the first that can serve: options 'auto'. */
  unread?: readonly Source[]
}

export function bpfSource(options: BpfSourceOptions = {}): Source {
  return {
    name: 'bpf',
    // A stream's batches are joined through windows in bounded memory (window.ts).
    partial: true,
    needsScan: false,
    async unavailable() {
      if (!hasBpfSupport()) return STALE
      const loaded = await openBpf()
      return 'cause' in loaded ? loaded : null
    },
    async open(context: SourceContext): Promise<Filler | Reason> {
      const loaded = await openBpf()
      if ('cause' in loaded) return loaded
      const unread = options.unread
      const next = unread === undefined ? undefined : (rest: SocketEntry[], m: Missing) => fillThrough(unread, rest, context, m)
      const reader = readerInNetns(context.netns?.fd)
      if (context.stream) {
        const windows = streamWindows(reader)
        return { fill: (batch, missing) => fillBatchFromBpf(batch, windows, loaded.hz, missing, next, context.cookieOf) }
      }
      // The whole table, read beside the netlink dump; a rejection is thrown where fill awaits it.
      const first = readTables(context.query.protos, reader)
      first.catch(() => undefined)
      return { fill: (entries, missing) => fillOptionsFromBpf(entries, first, loaded.hz, missing, next, context.cookieOf, reader) }
    },
  }
}

// The bpf source: the kernel module's exactness without the module. A BPF program on
// the iter/tcp and iter/udp socket iterators (src-native/bpf/) reads the fields the
// module reads, for every socket of the caller's network namespace, those no process
// holds included; needs CAP_BPF + CAP_PERFMON (or root), BTF and Linux >= 5.9.
import { fillThrough, type Filler, type Reason, type Source, type SourceContext } from '../source.js'
import { hasBpfSupport } from './binding.js'
import { fillOptionsFromBpf, openBpf, readTables } from './read.js'

export { hasBpfSupport } from './binding.js'
export { fillOptionsFromBpf, openBpf, readTables } from './read.js'
export { deferAcceptSeconds, toSocketOptions } from './semantics.js'
export { BpfSocketRecords, BPF_ABI_VERSION, BPF_SLOT } from './socket-record.js'

const STALE: Reason = { code: 'ERR_KNETSTAT_NATIVE_LOAD', source: 'bpf', cause: 'stale-binary' }

export interface BpfSourceOptions {
  /** The source that tries the entries the programs did not read (sockets newer than the read): options 'auto'. */
  unread?: Source
}

export function bpfSource(options: BpfSourceOptions = {}): Source {
  return {
    name: 'bpf',
    partial: false,
    needsScan: false,
    async unavailable() {
      if (!hasBpfSupport()) return STALE
      const loaded = await openBpf()
      return 'cause' in loaded ? loaded : null
    },
    async open(context: SourceContext): Promise<Filler | Reason> {
      const loaded = await openBpf()
      if ('cause' in loaded) return loaded
      // Beside the netlink dump; a rejection is thrown where fill awaits it.
      const first = readTables(context.query.protos)
      first.catch(() => undefined)
      const unread = options.unread
      return {
        fill: (entries, missing) =>
          fillOptionsFromBpf(entries, first, loaded.hz, missing, unread === undefined ? undefined : (rest, m) => fillThrough(unread, rest, context, m)),
      }
    },
  }
}

// The addon's bpf socket reader, checked to be of this version: an older binary lacks
// it or writes another record layout.
import type { NativeBinding } from '../../../types/binding.js'
import { loadBinding } from '../../native/load.js'
import { BPF_ABI_VERSION } from './socket-record.js'

/** Whether the loaded addon has the bpf reader of this version. */
export function hasBpfSupport(binding: NativeBinding = loadBinding()): boolean {
  return (
    typeof binding.openBpfReader === 'function' &&
    typeof binding.readBpfSockets === 'function' &&
    binding.bpfAbiVersion === BPF_ABI_VERSION
  )
}

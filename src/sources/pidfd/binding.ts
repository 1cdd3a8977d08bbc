// The addon's pidfd option reader, checked to be of this version: an older binary
// lacks it or writes another option record layout.
import type { NativeBinding } from '../../../types/binding.js'
import { loadBinding } from '../../native/load.js'
import { STALE_BINARY, unavailableError } from '../why-no-options.js'
import { OPTION_ABI_VERSION } from './option-record.js'

/** Whether the loaded addon has the pidfd reader of this version (and the /proc scan it reads through). */
export function hasPidfdSupport(binding: NativeBinding = loadBinding()): boolean {
  return (
    typeof binding.scanProcFds === 'function' &&
    typeof binding.readSocketOptions === 'function' &&
    binding.optionAbiVersion === OPTION_ABI_VERSION
  )
}

/** The addon, checked to have the pidfd functions; throws NativeLoadError otherwise. */
export function pidfdBinding(): NativeBinding {
  const binding = loadBinding()
  if (!hasPidfdSupport(binding)) throw unavailableError(STALE_BINARY)
  return binding
}

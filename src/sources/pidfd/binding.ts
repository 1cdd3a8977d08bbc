// The addon functions the pidfd source and the /proc scan share, checked to be of
// this version: an older binary lacks them or writes another option record layout.
import type { NativeBinding } from '../../../types/binding.js'
import { loadBinding } from '../../native/load.js'
import { STALE_BINARY, unavailableError } from '../why-no-options.js'
import { OPTION_ABI_VERSION } from './option-record.js'

/** Whether the loaded addon has the /proc scan and pidfd reader of this version. */
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

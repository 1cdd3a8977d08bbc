// The addon's /proc scan, checked to be there: a binary older than the scan lacks it.
import type { NativeBinding } from '../../../types/binding.js'
import { loadBinding } from '../../native/load.js'
import { STALE_BINARY, unavailableError } from '../why-no-options.js'

/** Whether the loaded addon has the /proc scan. */
export function hasProcessScan(binding: NativeBinding = loadBinding()): boolean {
  return typeof binding.scanProcFds === 'function'
}

/** The addon, checked to have the /proc scan; throws NativeLoadError otherwise. */
export function scanBinding(): NativeBinding {
  const binding = loadBinding()
  if (!hasProcessScan(binding)) throw unavailableError({ ...STALE_BINARY, source: 'processes' })
  return binding
}

// The addon as the netlink source uses it: loaded once per thread (src/native/load.ts)
// and checked to write the records this version decodes, so a stale binary is
// refused with a clear message instead of being misread.
import { join } from 'node:path'
import type { NativeBinding } from '../../../types/binding.js'
import { loadBinding, NativeLoadError, PACKAGE_ROOT } from '../../native/load.js'
import { RECORD_ABI_VERSION } from './record-layout.js'

/** Throws NativeLoadError when `binding` writes records of another layout than the decoder reads. */
export function checkRecordLayout(binding: Pick<NativeBinding, 'recordAbiVersion'>): void {
  if (binding.recordAbiVersion === RECORD_ABI_VERSION) return
  throw new NativeLoadError(
    `knetstat's native addon writes records of layout version ${String(binding.recordAbiVersion)} but this ` +
      `version decodes ${RECORD_ABI_VERSION}: the binary is stale. Rebuild it with \`npm run build:native\` ` +
      `(or remove ${join(PACKAGE_ROOT, 'build', 'Release')}/ to use the prebuild).`,
  )
}

/** The addon, checked to write this version's records. Throws NativeLoadError. */
export function netlinkBinding(): NativeBinding {
  const binding = loadBinding()
  checkRecordLayout(binding)
  return binding
}

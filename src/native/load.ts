// Loads the native addon: a prebuild shipped in prebuilds/<platform>-<arch>/, or a
// local build in build/Release/ (node-gyp-build picks build/ first when present).
// Every native source loads it here; each checks that the binary writes the records
// it reads (src/sources/netlink/binding.ts, src/sources/pidfd/binding.ts).
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NativeBinding } from '../../types/binding.js'

const require = createRequire(import.meta.url)

/** The package root: this file is src/native/load.ts, or dist/native/load.js once built. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The addon could not be loaded, or is stale: it does not write what this version reads. */
export class NativeLoadError extends Error {
  readonly code = 'ERR_KNETSTAT_NATIVE_LOAD'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NativeLoadError'
  }
}

let binding: NativeBinding | undefined

/** The addon of this package, loaded once per thread. Throws NativeLoadError. */
export function loadBinding(): NativeBinding {
  if (binding === undefined) binding = loadFrom(PACKAGE_ROOT)
  return binding
}

/** Loads the addon of the package at `root` (exported for tests). */
export function loadFrom(root: string): NativeBinding {
  const prebuilds = join(root, 'prebuilds', `${process.platform}-${process.arch}`)
  const release = join(root, 'build', 'Release')
  try {
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown
    return nodeGypBuild(root) as NativeBinding
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause)
    throw new NativeLoadError(
      `knetstat's native addon could not be loaded (${reason}). Looked for a prebuild in ${prebuilds}/ ` +
        `(N-API, ${process.platform}-${process.arch}) and a local build in ${release}/. ` +
        'Build it from source with `npm run build:native` in the package directory (needs python3, make and g++).',
      { cause },
    )
  }
}

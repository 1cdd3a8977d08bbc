// Loads the native addon: a prebuild shipped in prebuilds/<platform>-<arch>/, or a
// local build in build/Release/ (node-gyp-build picks build/ first when present).
// The package has no install script: where no prebuild fits, the error here says
// how to build one (docs/native.md, "Building").
// Every native source loads it here; each checks that the binary writes the records
// it reads (src/sources/netlink/binding.ts, src/sources/pidfd/binding.ts).
import { createRequire } from 'node:module'
import { existsSync, readdirSync } from 'node:fs'
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
  try {
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown
    return nodeGypBuild(root) as NativeBinding
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause)
    throw new NativeLoadError(`${missingAddonMessage(root)} (${reason})`, { cause })
  }
}

/** This host as prebuilds are named, with its C library: `linux-arm64 (musl)`. */
export function hostTarget(): string {
  // glibc reports its version here; musl does not.
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
  const libc = header?.glibcVersionRuntime === undefined ? 'musl' : 'glibc'
  return `${process.platform}-${process.arch} (${libc})`
}

/** What to do when no binary loads: there is no install script, so the user builds it. */
function missingAddonMessage(root: string): string {
  const shipped = existsSync(join(root, 'prebuilds')) ? readdirSync(join(root, 'prebuilds')) : []
  return (
    `knetstat's native addon could not be loaded on ${hostTarget()}: prebuilds ship for ` +
    `${shipped.length > 0 ? shipped.join(', ') : 'no platform'}, and there is no local build in ` +
    `${join(root, 'build', 'Release')}/. Build it from source (needs python3, make and g++): ` +
    `cd '${root}' && npm run build:native`
  )
}

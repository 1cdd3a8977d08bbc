// Loads the native addon: a local build in build/Release/ (or build/Debug/) when there
// is one, else the prebuild shipped for this host in prebuilds/<platform>-<arch>/,
// named as prebuildify names them (knetstat.glibc.node, knetstat.musl.node).
// The prebuild is picked here, not by node-gyp-build: its libc detection looks only
// for /etc/alpine-release, and musl hosts that are not Alpine exist (Void, Chimera,
// distroless musl images); a glibc binary there fails to load. Here the C library is
// the one this Node runs on (hostLibc()).
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
  const path = addonPath(root)
  try {
    if (path === undefined) throw new Error(`no binary for ${hostTarget()} in ${root}`)
    return require(path) as NativeBinding
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause)
    throw new NativeLoadError(`${missingAddonMessage(root)} (${reason})`, { cause })
  }
}

let libc: Libc | undefined

/**
 * The C library this Node runs on: glibc reports its version in the report header;
 * musl does not. Asked once per thread (a report takes about 20 ms).
 */
export function hostLibc(): Libc {
  if (libc === undefined) {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    libc = header?.glibcVersionRuntime === undefined ? 'musl' : 'glibc'
  }
  return libc
}

export type Libc = 'glibc' | 'musl'

/** This host as prebuilds are named, with its C library: `linux-arm64 (musl)`. */
export function hostTarget(): string {
  return `${process.platform}-${process.arch} (${hostLibc()})`
}

/**
 * The binary `loadFrom(root)` loads, or undefined: the first `.node` of
 * build/Release/, then of build/Debug/ (a local build, as node-gyp-build looks; not
 * with PREBUILDS_ONLY set), else the prebuild of prebuilds/<platform>-<arch>/ tagged
 * with this host's C library, else one tagged with none. A prebuild tagged with the
 * other C library is never taken.
 */
export function addonPath(root: string, libc: Libc = hostLibc(), platform: string = process.platform, arch: string = process.arch): string | undefined {
  if (process.env.PREBUILDS_ONLY === undefined) {
    for (const dir of [join(root, 'build', 'Release'), join(root, 'build', 'Debug')]) {
      const built = listDir(dir).find((name) => name.endsWith('.node'))
      if (built !== undefined) return join(dir, built)
    }
  }
  const dir = join(root, 'prebuilds', `${platform}-${arch}`)
  const prebuilds = listDir(dir)
    .filter((name) => name.endsWith('.node'))
    .map((name) => ({ name, libc: prebuildLibc(name) }))
  const fits = prebuilds.find((p) => p.libc === libc) ?? prebuilds.find((p) => p.libc === undefined)
  return fits === undefined ? undefined : join(dir, fits.name)
}

/** The C library a prebuild's name is tagged with (prebuildify --tag-libc): `knetstat.musl.node`. */
export function prebuildLibc(name: string): Libc | undefined {
  const tags = name.split('.').slice(1, -1)
  if (tags.includes('musl')) return 'musl'
  if (tags.includes('glibc')) return 'glibc'
  return undefined
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}

/** The prebuilds this package ships, as `linux-x64 (glibc)`: what the error names. */
function shippedTargets(root: string): string[] {
  const out: string[] = []
  for (const target of listDir(join(root, 'prebuilds'))) {
    const libcs = [...new Set(listDir(join(root, 'prebuilds', target)).filter((n) => n.endsWith('.node')).map((n) => prebuildLibc(n) ?? 'any libc'))]
    out.push(libcs.length > 0 ? `${target} (${libcs.join(', ')})` : target)
  }
  return out
}

/** What to do when no binary loads: there is no install script, so the user builds it. */
function missingAddonMessage(root: string): string {
  const shipped = existsSync(join(root, 'prebuilds')) ? shippedTargets(root) : []
  return (
    `knetstat's native addon could not be loaded on ${hostTarget()}: prebuilds ship for ` +
    `${shipped.length > 0 ? shipped.join(', ') : 'no platform'}, and there is no local build in ` +
    `${join(root, 'build', 'Release')}/. Build it from source (needs python3, make and g++): ` +
    `cd '${root}' && npm run build:native`
  )
}

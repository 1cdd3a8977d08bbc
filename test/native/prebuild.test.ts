// The committed prebuilds must be built from the committed sources, for the
// targets they are named after, and load on any host of their target: the package
// ships them, and the loader picks them over compiling (src/native/load.ts).
// Every prebuild is read as ELF (test/helpers/elf.ts), not loaded: the arm64 and
// musl ones cannot load on this host. The one for this host is loaded too.
// Running them: the x64 glibc one everywhere (this suite), the x64 musl one under
// musl's dynamic linker (test/native/musl-load.test.ts), the arm64 glibc one in an
// arm64 guest (test/arm64/run.sh). docs/native.md, "Prebuilds".
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import t from 'tap'
import type { NativeBinding } from '../../types/binding.js'
import { PACKAGE_ROOT, addonPath, hostLibc, loadBinding } from '../../src/native/load.js'
import { EM_AARCH64, EM_X86_64, compareVersions, embeddedSourceHash, maxGlibcVersion, readElf } from '../helpers/elf.js'

const require = createRequire(import.meta.url)
const { sourceHash } = require(join(PACKAGE_ROOT, 'src-native', 'tools', 'source-hash.cjs')) as {
  sourceHash: (root: string) => number
}
const STALE = 'prebuilds/ is stale: run `npm run build:prebuilds` and commit prebuilds/ with the C++ change'

/** The glibc baseline of the glibc prebuilds (src-native/tools/build-prebuilds.sh: x86_64-linux-gnu.2.17). */
export const GLIBC_BASELINE = [2, 17]

/** What the package ships: four prebuilds, each for one arch and C library. */
const SHIPPED = [
  { file: 'linux-x64/knetstat.glibc.node', machine: EM_X86_64, libc: 'glibc' },
  { file: 'linux-x64/knetstat.musl.node', machine: EM_X86_64, libc: 'musl' },
  { file: 'linux-arm64/knetstat.glibc.node', machine: EM_AARCH64, libc: 'glibc' },
  { file: 'linux-arm64/knetstat.musl.node', machine: EM_AARCH64, libc: 'musl' },
] as const

// The libraries a glibc prebuild may need: glibc's own (every glibc host has them).
// Never libstdc++.so.6 or libgcc_s.so.1: the C++ runtime is linked in (Zig's libc++).
const GLIBC_LIBS = new Set(['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1'])
// A musl prebuild needs libc alone: musl's loader maps libc.so (and libc.musl-<arch>.so.1)
// to itself; Alpine has no libstdc++ unless installed.
const MUSL_LIBS = new Set(['libc.so', 'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1'])

t.test('prebuilds/ holds exactly the four prebuilds', (t) => {
  const found = readdirSync(join(PACKAGE_ROOT, 'prebuilds')).flatMap((dir) =>
    readdirSync(join(PACKAGE_ROOT, 'prebuilds', dir)).map((f) => `${dir}/${f}`),
  )
  t.same(found.sort(), SHIPPED.map((p) => p.file).sort())
  t.end()
})

for (const p of SHIPPED) {
  const path = join(PACKAGE_ROOT, 'prebuilds', p.file)
  t.test(`prebuilds/${p.file}`, { skip: existsSync(path) ? false : `no ${path}` }, (t) => {
    const bytes = readFileSync(path)
    const elf = readElf(bytes)
    t.equal(embeddedSourceHash(bytes), sourceHash(PACKAGE_ROOT), STALE)
    t.equal(elf.machine, p.machine, p.machine === EM_X86_64 ? 'x86-64' : 'AArch64')
    t.equal(elf.type, 3, 'a shared object')
    t.equal(elf.interpreter, null, 'no program interpreter')
    t.notOk(elf.sections.includes('.symtab'), 'stripped: no symbol table')
    t.ok(elf.definedSymbols.includes('napi_register_module_v1'), 'an N-API module')
    const allowed = p.libc === 'glibc' ? GLIBC_LIBS : MUSL_LIBS
    t.same(elf.needed.filter((lib) => !allowed.has(lib)), [], `needs only ${p.libc}'s libraries (${elf.needed.join(', ')})`)
    t.notOk(elf.needed.some((lib) => /^lib(stdc\+\+|c\+\+|gcc_s|unwind)/.test(lib)), 'no C++ runtime needed: linked in')
    const versions = [...elf.versionsNeeded.values()].flat()
    t.same(versions.filter((v) => /^(GLIBCXX|CXXABI|GCC)_/.test(v)), [], 'no libstdc++ or libgcc_s symbol versions')
    if (p.libc === 'glibc') {
      const max = maxGlibcVersion(versions)
      t.ok(max !== null, 'glibc symbol versions are named')
      t.ok(max !== null && compareVersions(max, GLIBC_BASELINE) <= 0, `needs glibc ${max?.join('.')} at most ${GLIBC_BASELINE.join('.')}`)
    } else {
      t.same(versions, [], 'musl has no symbol versions: none required')
    }
    t.end()
  })
}

const hostPrebuild = join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`, `knetstat.${hostLibc()}.node`)
t.test('the prebuild for this host loads and reports the hash it carries', { skip: existsSync(hostPrebuild) ? false : `no ${hostPrebuild}` }, (t) => {
  const binding = require(hostPrebuild) as NativeBinding
  t.equal(binding.sourceHash, sourceHash(PACKAGE_ROOT), STALE)
  t.equal(binding.sourceHash, embeddedSourceHash(readFileSync(hostPrebuild)), 'the string the other prebuilds are checked by is the exported number')
  t.end()
})

t.test('without a local build the loader picks the prebuild of this host\'s C library', (t) => {
  const saved = process.env.PREBUILDS_ONLY
  process.env.PREBUILDS_ONLY = '1'
  t.teardown(() => {
    if (saved === undefined) delete process.env.PREBUILDS_ONLY
    else process.env.PREBUILDS_ONLY = saved
  })
  t.equal(addonPath(PACKAGE_ROOT), hostPrebuild)
  t.end()
})

t.test('the loaded addon reports the fingerprint of its sources', (t) => {
  t.type(loadBinding().sourceHash, 'number')
  t.end()
})

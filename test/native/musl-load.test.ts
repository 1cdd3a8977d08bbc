// The x64 musl prebuild under musl's dynamic linker. No musl build of Node can be
// had here (npm has none; Bun's musl build needs a musl libstdc++, which Debian does
// not ship), so a small host program stands in for Node: built with Debian's
// musl-gcc against musl's libc.so, it defines every N-API symbol the prebuild
// imports as a stub and dlopen()s the prebuild with RTLD_NOW, as Node would. That
// proves on musl's loader what Alpine's would do: every library it needs is found,
// every symbol not Node's resolves in musl's libc (no glibc-only symbol, no symbol
// version), its relocations apply and its static constructors (libc++'s) run.
// The N-API calls themselves are not made (the stubs would abort).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/native/load.js'
import { readElf } from '../helpers/elf.js'

const MUSL_LIBC = '/usr/lib/x86_64-linux-musl/libc.so'
const MUSL_LOADER = '/lib/ld-musl-x86_64.so.1'
const prebuild = join(PACKAGE_ROOT, 'prebuilds', 'linux-x64', 'knetstat.musl.node')
const glibcPrebuild = join(PACKAGE_ROOT, 'prebuilds', 'linux-x64', 'knetstat.glibc.node')
const hasMuslGcc = spawnSync('musl-gcc', ['--version']).status === 0
const skip =
  process.arch !== 'x64' ? 'an x64 host runs the x64 prebuild'
  : !existsSync(prebuild) ? `no ${prebuild}`
  : !hasMuslGcc || !existsSync(MUSL_LIBC) || !existsSync(MUSL_LOADER) ? 'no musl-gcc (Debian: apt-get install musl-tools)'
  : false

/**
 * The environment of what runs on musl: without the sanitizer suite's LD_PRELOAD
 * (glibc's libasan), which musl's loader cannot load.
 */
const { LD_PRELOAD: _preload, ...muslEnv } = process.env

/** Node's own symbols an addon imports: N-API, and libuv's (none here today). */
const isNodeSymbol = (name: string): boolean => /^(napi_|node_api_|uv_)/.test(name)

t.test('the x64 musl prebuild loads under musl\'s dynamic linker', { skip }, (t) => {
  const elf = readElf(readFileSync(prebuild))
  const libc = new Set(readElf(readFileSync(MUSL_LIBC)).definedSymbols)
  const strong = elf.undefinedSymbols.filter((s) => !s.weak).map((s) => s.name)
  const fromNode = strong.filter(isNodeSymbol)
  const unresolved = strong.filter((name) => !isNodeSymbol(name) && !libc.has(name))
  t.same(unresolved, [], 'every symbol that is not Node\'s is in musl\'s libc')
  t.ok(fromNode.length > 20, `${fromNode.length} N-API symbols, from Node`)

  const dir = mkdtempSync(join(tmpdir(), 'knetstat-musl-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const stubs = fromNode.map((name) => `void ${name}(void) { abort(); }`).join('\n')
  writeFileSync(
    join(dir, 'host.c'),
    `#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
${stubs}
int main(int argc, char** argv) {
  void* addon = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (addon == NULL) { printf("dlopen failed: %s\\n", dlerror()); return 1; }
  void* init = dlsym(addon, "napi_register_module_v1");
  printf("loaded; napi_register_module_v1 %s\\n", init != NULL ? "found" : "missing");
  return init != NULL ? 0 : 1;
}
`,
  )
  // -rdynamic: the stubs are exported, as Node exports N-API, for the addon to bind to.
  execFileSync('musl-gcc', ['-O1', '-rdynamic', '-o', join(dir, 'host'), join(dir, 'host.c')], { env: muslEnv })
  t.match(readElf(readFileSync(join(dir, 'host'))).interpreter ?? '', /ld-musl-x86_64\.so\.1$/, 'the host program runs on musl\'s loader')
  const run = spawnSync(join(dir, 'host'), [prebuild], { encoding: 'utf8', env: muslEnv })
  t.equal(run.status, 0, `${run.stdout}${run.stderr}`)
  t.match(run.stdout, 'loaded; napi_register_module_v1 found')

  // The harness tells the two apart: the glibc prebuild does not load on musl.
  if (existsSync(glibcPrebuild)) {
    const wrong = spawnSync(join(dir, 'host'), [glibcPrebuild], { encoding: 'utf8', env: muslEnv })
    t.not(wrong.status, 0, `the glibc prebuild is refused on musl: ${wrong.stdout.trim()}`)
  }
  t.end()
})

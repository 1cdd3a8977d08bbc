// The compiled socket programs in src-native/bpf/socket_fields.bpf.inc are what
// socket_fields.bpf.c compiles to (tools/build-bpf.sh), where clang is installed.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const BUILD = fileURLToPath(new URL('../../src-native/tools/build-bpf.sh', import.meta.url))
const COMMITTED = fileURLToPath(new URL('../../src-native/bpf/socket_fields.bpf.inc', import.meta.url))
const hasClang = spawnSync('clang', ['--version']).status === 0 && spawnSync('llvm-objcopy', ['--version']).status === 0

t.test('the committed program matches its source', { skip: hasClang ? false : 'clang or llvm-objcopy is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'knetstat-bpf-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  execFileSync('bash', [BUILD, join(dir, 'out.inc')])
  const code = (text: string) => text.split('\n').filter((l) => !l.startsWith('//')).join('\n')
  t.equal(code(readFileSync(join(dir, 'out.inc'), 'utf8')), code(readFileSync(COMMITTED, 'utf8')), 'run src-native/tools/build-bpf.sh after changing the program')
})

t.test('the program calls no helper that changes a socket', async (t) => {
  // Helper calls are BPF_JMP|BPF_CALL (0x85) with the helper id in the immediate.
  const words = [...readFileSync(COMMITTED, 'utf8').matchAll(/0x([0-9a-f]{16})ULL/g)].map((m) => BigInt(`0x${m[1]}`))
  const helpers = new Set(words.filter((w) => (w & 0xffn) === 0x85n).map((w) => Number(w >> 32n)))
  // 46: bpf_get_socket_cookie (gives a socket its cookie if it has none, as the netlink
  // dump of the same listing does), 113: bpf_probe_read_kernel, 127: bpf_seq_write
  // (writes to the reader's buffer only).
  t.same([...helpers].sort((a, b) => a - b), [46, 113, 127])
})

const PREBUILD = fileURLToPath(new URL('../../prebuilds/linux-x64/knetstat.glibc.node', import.meta.url))
const hasReadelf = spawnSync('readelf', ['--version']).status === 0

t.test('the prebuilt addon loads without libbpf, libelf or zlib', { skip: hasReadelf ? false : 'readelf (binutils) is not installed' }, async (t) => {
  const readelf = spawnSync('readelf', ['-d', PREBUILD], { encoding: 'utf8' })
  t.equal(readelf.status, 0, readelf.stderr)
  const needed = [...readelf.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1] as string)
  t.ok(needed.length > 0, `NEEDED: ${needed.join(', ')}`)
  t.same(
    needed.filter((lib) => !/^(libc|libm|libpthread|libdl)\.so/.test(lib)),
    [],
    'only glibc (the C++ runtime is linked in: test/native/prebuild.test.ts)',
  )
})

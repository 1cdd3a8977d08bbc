// The C++ cores built with g++ and AddressSanitizer/UBSan: the dump cursor over a
// scripted transport, the reply parser fuzz target over fixed-seed inputs, and the
// BTF reader and socket layout on this host's kernel BTF, against bpftool.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/native/load.js'

const hasCompiler = spawnSync('g++', ['--version']).status === 0
const VMLINUX = '/sys/kernel/btf/vmlinux'
const hasBpftool = spawnSync('bpftool', ['version']).status === 0
const native = join(PACKAGE_ROOT, 'src-native')
const here = join(PACKAGE_ROOT, 'test', 'native', 'cxx')
const FLAGS = ['-std=c++17', '-O1', '-g', '-Wall', '-Wextra', '-Werror', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', `-I${native}`]

function build(output: string, sources: string[]): void {
  execFileSync('g++', [...FLAGS, ...sources, '-o', output], { stdio: 'pipe' })
}

t.test('C++ cores under sanitizers', { skip: hasCompiler ? false : 'g++ is not installed' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'knetstat-cxx-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' }

  t.test('dump cursor: batches, request order and bytes, interrupted dumps and errors over a scripted transport', (t) => {
    const binary = join(dir, 'dump_cursor_test')
    build(binary, [
      join(here, 'dump_cursor_test.cc'),
      join(native, 'diag', 'dump_cursor.cc'),
      join(native, 'diag', 'encode_request.cc'),
      join(native, 'diag', 'failure_message.cc'),
      join(native, 'diag', 'parse_reply.cc'),
    ])
    const run = spawnSync(binary, { env, encoding: 'utf8' })
    t.equal(run.status, 0, run.stdout + run.stderr)
    t.match(run.stdout, /^0 failed$/m)
    t.notMatch(run.stdout, /not ok/)
    t.end()
  })

  t.test('reply parser fuzz target: 200k fixed-seed inputs', (t) => {
    const binary = join(dir, 'fuzz_driver')
    build(binary, [join(here, 'fuzz_driver.cc'), join(PACKAGE_ROOT, 'test', 'fuzz', 'parse_reply_fuzz.cc'), join(native, 'diag', 'parse_reply.cc')])
    const run = spawnSync(binary, ['200000', '20261127'], { env, encoding: 'utf8' })
    t.equal(run.status, 0, run.stderr)
    t.match(run.stdout, 'fuzzed 200000 inputs')
    t.end()
  })

  t.test('BTF reader: both socket layouts on this kernel, offsets as bpftool reads them', { skip: existsSync(VMLINUX) ? false : `no ${VMLINUX}` }, (t) => {
    const binary = join(dir, 'btf_vmlinux_test')
    build(binary, [join(here, 'btf_vmlinux_test.cc'), join(native, 'bpf', 'btf.cc'), join(native, 'bpf', 'socket_layout.cc')])
    const run = spawnSync(binary, [VMLINUX], { env, encoding: 'utf8' })
    t.equal(run.status, 0, run.stdout + run.stderr)
    t.match(run.stdout, /^0 failed$/m)
    t.notMatch(run.stdout, /not ok/)
    const fields = [...run.stdout.matchAll(/^field (\S+) (\S+) bits_offset=(\d+) bitfield_size=(\d+)$/gm)]
    t.ok(fields.length >= 10, `${fields.length} members printed`)
    t.test('the same members in bpftool\'s dump', { skip: hasBpftool ? false : 'bpftool is not installed (apt-get install bpftool)' }, (t) => {
      const raw = execFileSync('bpftool', ['btf', 'dump', 'file', VMLINUX, 'format', 'raw'], { encoding: 'utf8', maxBuffer: 256 << 20 })
      for (const [, struct, member, offset, bitfield] of fields) {
        // The struct's block: its header line, then one indented line a member.
        const block = new RegExp(`^\\[\\d+\\] STRUCT '${struct}' size=\\d+ vlen=\\d+\\n((?:\\t.*\\n)*)`, 'm').exec(raw)
        const line = block?.[1]?.split('\n').find((l) => l.startsWith(`\t'${member}' `))
        const want = `bits_offset=${offset}${bitfield === '0' ? '' : ` bitfield_size=${bitfield}`}`
        t.ok(line?.endsWith(` ${want}`), `${struct}.${member}: ${want} (bpftool: ${line?.trim()})`)
      }
      t.end()
    })
    t.end()
  })
  t.end()
})

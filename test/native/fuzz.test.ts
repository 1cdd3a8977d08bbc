// The fuzz targets (test/fuzz/parse_reply_fuzz.cc, test/fuzz/btf_fuzz.cc) over their
// seed corpora and every crash input libFuzzer ever found (test/fuzz/), built with g++
// and AddressSanitizer/UBSan, so the regressions are checked by every `npm test`
// without clang. The fuzzing itself is test/fuzz/run.sh.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/native/load.js'

const hasCompiler = spawnSync('g++', ['--version']).status === 0
const native = join(PACKAGE_ROOT, 'src-native')
const fuzz = join(PACKAGE_ROOT, 'test', 'fuzz')
const corpus = join(fuzz, 'corpus', 'parse_reply')
const regressions = join(fuzz, 'regressions', 'parse_reply')
const FLAGS = ['-std=c++17', '-O1', '-g', '-Wall', '-Wextra', '-Werror', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', `-I${native}`]

/** The inputs of a directory as fuzz_driver --replay takes them: regular files, no dotfiles or notes. */
function inputs(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && !name.endsWith('.md') && statSync(join(dir, name)).isFile())
    .sort()
}

interface Replayed {
  end: 'done' | 'more' | 'error'
  records: number
  errno: number
  detail: string | undefined
}

/** The driver's per-file lines: `<path>: <end> records=N skipped=N errno=N interrupted=N[ detail=...]`. */
function parseReplay(stdout: string): Map<string, Replayed> {
  const results = new Map<string, Replayed>()
  for (const line of stdout.split('\n')) {
    const m = /^(.*): (done|more|error) records=(\d+) skipped=\d+ errno=(\d+) interrupted=[01](?: detail=(.*))?$/.exec(line)
    if (m) results.set(m[1] as string, { end: m[2] as Replayed['end'], records: Number(m[3]), errno: Number(m[4]), detail: m[5] })
  }
  return results
}

t.test('fuzz target replays the seed corpus and the regressions', { skip: hasCompiler ? false : 'g++ is not installed' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'knetstat-fuzz-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const binary = join(dir, 'fuzz_driver')
  execFileSync(
    'g++',
    [
      ...FLAGS,
      join(PACKAGE_ROOT, 'test', 'native', 'cxx', 'fuzz_driver.cc'),
      join(fuzz, 'parse_reply_fuzz.cc'),
      join(native, 'diag', 'parse_reply.cc'),
      '-o',
      binary,
    ],
    { stdio: 'pipe' },
  )
  const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' }
  const replay = (path: string) => spawnSync(binary, ['--replay', path], { env, encoding: 'utf8', maxBuffer: 16 << 20 })

  const seeds = inputs(corpus)
  t.test('seed corpus', (t) => {
    t.ok(seeds.length >= 20, `${seeds.length} seed inputs`)
    const run = replay(corpus)
    t.equal(run.status, 0, run.stderr)
    t.match(run.stdout, `replayed ${seeds.length} inputs`)
    const results = parseReplay(run.stdout)
    t.equal(results.size, seeds.length, 'a result line per input')

    // The kernel's own datagrams parse: sockets, then NLMSG_DONE; refused requests end with their errno.
    const kernel = seeds.filter((name) => name.startsWith('kernel-'))
    t.ok(kernel.length > 0, 'kernel captures in the corpus')
    let records = 0
    for (const name of kernel) {
      const r = results.get(join(corpus, name))
      if (name.startsWith('kernel-error-')) t.match(r, { end: 'error', detail: undefined }, `${name} ends with the kernel's errno`)
      else t.not(r?.end, 'error', `${name} parses`)
      records += r?.records ?? 0
    }
    t.ok(records > 0, `${records} sockets in the kernel captures`)
    // The hand-made edge cases end as parse_reply.h says.
    const expect: Record<string, Partial<Replayed>> = {
      'edge-error-eperm.bin': { end: 'error', errno: 1, detail: undefined },
      'edge-error-max-errno.bin': { end: 'error', errno: 4095 },
      'edge-error-below-max-errno.bin': { end: 'error', errno: 74, detail: 'NLMSG_ERROR code is not a negative errno' },
      'edge-error-positive.bin': { end: 'error', errno: 74 },
      'edge-error-zero-ack-then-done.bin': { end: 'done' },
      'edge-done-without-code.bin': { end: 'done' },
      'edge-done-enobufs.bin': { end: 'error', errno: 105, records: 1 },
      'edge-header-truncated-15.bin': { end: 'error', detail: 'netlink header truncated' },
      'edge-nlmsg-len-max.bin': { end: 'error', detail: 'nlmsg_len runs past the datagram' },
      'edge-attr-zero-length-2.bin': { end: 'done', records: 1 },
      'edge-attr-zero-length-8.bin': { end: 'error', detail: 'INET_DIAG_SHUTDOWN shorter than 1 byte' },
      'edge-attr-info-max-length.bin': { end: 'done', records: 1 },
      'edge-record-tcpdiag-getsock.bin': { end: 'done', records: 2 },
    }
    for (const [name, want] of Object.entries(expect)) t.match(results.get(join(corpus, name)), want, name)
    t.end()
  })

  t.test('regressions: every crash input libFuzzer found', (t) => {
    const files = inputs(regressions)
    if (files.length === 0) {
      t.pass('no crash inputs recorded')
      t.end()
      return
    }
    const run = replay(regressions)
    t.equal(run.status, 0, run.stderr)
    t.match(run.stdout, `replayed ${files.length} inputs`)
    t.end()
  })

  t.test('random mode still runs beside replay', (t) => {
    const run = spawnSync(binary, ['2000', '7'], { env, encoding: 'utf8' })
    t.equal(run.status, 0, run.stderr)
    t.match(run.stdout, 'fuzzed 2000 inputs')
    t.end()
  })
  t.end()
})

t.test('BTF fuzz target replays its seed corpus and the regressions', { skip: hasCompiler ? false : 'g++ is not installed' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'knetstat-fuzz-btf-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const binary = join(dir, 'btf_fuzz_driver')
  const bpf = join(native, 'bpf')
  execFileSync(
    'g++',
    [
      ...FLAGS,
      join(PACKAGE_ROOT, 'test', 'native', 'cxx', 'btf_fuzz_driver.cc'),
      join(fuzz, 'btf_fuzz.cc'),
      join(bpf, 'btf.cc'),
      join(bpf, 'socket_layout.cc'),
      '-o',
      binary,
    ],
    { stdio: 'pipe' },
  )
  const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' }
  const seeds = join(fuzz, 'corpus', 'btf')
  const crashes = join(fuzz, 'regressions', 'btf')
  const files = [...inputs(seeds).map((name) => join(seeds, name)), ...inputs(crashes).map((name) => join(crashes, name))]
  // A hang is a failure too: every input, however made, is done in well under this.
  const run = spawnSync(binary, [seeds, crashes], { env, encoding: 'utf8', timeout: 60_000 })
  t.equal(run.status, 0, run.stderr)
  t.match(run.stdout, `replayed ${files.length} inputs`)
  // The kernel-shaped seeds resolve both layouts, with and without inet_flags.
  for (const name of ['sockets-inet-flags.bin', 'sockets-bitfields.bin']) {
    t.match(run.stdout, `${join(seeds, name)}: btf=ok tcp=ok udp=ok`, name)
  }
  t.match(run.stdout, `${join(crashes, 'type-section-huge.bin')}: btf=error`, 'a type section past the blob is refused')
  t.end()
})

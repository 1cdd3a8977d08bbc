// Usage errors exit 2 with a message and the usage line, and never fall back to
// something the user did not ask for (an empty --proc-net meaning the live host, the
// last of two output formats winning).
import t from 'tap'
import { knetstat } from '../helpers/cli.js'
import { TEXT_FIXTURES as FIXTURES } from '../helpers/knetstat-text.js'

t.test("--proc-net '' is a usage error, not the live host", async (t) => {
  for (const args of [['--proc-net', ''], ['--proc-net='], ['check', '--proc-net', '', '--no-stalled']]) {
    const r = knetstat(args)
    t.equal(r.status, 2, `${JSON.stringify(args)}: exit 2`)
    t.match(r.stderr, /^knetstat: --proc-net needs the directory of a recording, got an empty path\nUsage: knetstat /)
    t.equal(r.stdout, '', 'nothing listed')
  }
})

t.test('--json with --ndjson is a usage error', async (t) => {
  for (const args of [['--json', '--ndjson'], ['--ndjson', '--json']]) {
    const r = knetstat(args)
    t.equal(r.status, 2, `${args.join(' ')}: exit 2`)
    t.match(r.stderr, /^knetstat: use either --json or --ndjson, not both\n/)
    t.equal(r.stdout, '')
  }
  t.equal(knetstat(['--json', '--json', '--proc-net', FIXTURES]).status, 0, 'the same format twice is fine')
})

t.test("docs/testing.md's check on a recording: subcommand first", async (t) => {
  const ok = knetstat(['check', '--proc-net', FIXTURES, '--port', '443', '--no-stalled'])
  t.equal(ok.status, 1, 'runs the check (connections on 443, no listener in the fixture)')
  t.match(ok.stdout, /^knetstat check: FAIL: /)
  const before = knetstat(['--proc-net', FIXTURES, 'check', '--port', '443', '--no-stalled'])
  t.equal(before.status, 2, 'options before the subcommand are a usage error')
  t.match(before.stderr, /^knetstat: unexpected argument "check"/)
})

t.test('more ports than the kernel filter can carry is a usage error, naming --port', async (t) => {
  const ports = Array.from({ length: 3000 }, (_, i) => 1 + 2 * i).join(',')
  const check = knetstat(['check', '--port', ports, '--no-stalled'])
  t.equal(check.status, 2)
  t.match(check.stderr, /^knetstat: check judges one service: give one --port, 1-65535\n/)
  for (const args of [['--port', ports]]) {
    const r = knetstat(args)
    t.equal(r.status, 2, `${args[0]}: exit 2`)
    t.match(r.stderr, /^knetstat: the port and address filters need 71996 bytes of kernel filter \(inet_diag bytecode\), more than the 65528 a request can carry; port has the most \(3000 entries\)/)
    t.equal(r.stdout, '', 'nothing listed')
  }
  const ranges = knetstat(['-t', '--port', '1-65535', '--no-options'])
  t.equal(ranges.status, 0, 'a range is one condition')
})

t.test('--max-recording-bytes: a size for the files of a recording, or a usage error', async (t) => {
  const tiny = knetstat(['--proc-net', FIXTURES, '--max-recording-bytes', '100'])
  t.equal(tiny.status, 1, 'a file over the limit fails the listing')
  t.match(tiny.stderr, /^knetstat: cannot read .*tcpstat: it is [0-9]+ bytes, over the limit of 100 bytes .*--max-recording-bytes/)
  t.equal(tiny.stdout, '', 'nothing listed from a recording that was refused')
  t.equal(knetstat(['--proc-net', FIXTURES, '--max-recording-bytes', '1M']).status, 0, 'binary units: 1M')
  for (const bad of ['0', '-5', '1x', '1.5M', '99999999999999999999']) {
    const r = knetstat(['--proc-net', FIXTURES, '--max-recording-bytes', bad])
    t.equal(r.status, 2, `${bad}: exit 2`)
    t.match(r.stderr, /^knetstat: --max-recording-bytes (needs a value|".*": give a size in bytes)/)
  }
  const alone = knetstat(['--max-recording-bytes', '1M'])
  t.equal(alone.status, 2, 'without a recording: exit 2')
  t.match(alone.stderr, /^knetstat: --max-recording-bytes limits the files of a recording: give --proc-net DIR/)
})

// Another user names a process (its comm) with terminal escapes, C1 controls or bidi
// overrides and holds a real socket; root runs the real command. Nothing of the name
// may reach the terminal raw: not in the table's users column, not in JSON, not in
// watch frames, not in the options error on stderr. A recording and a path with such
// characters get the same treatment.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { escapeForDisplay } from '../../src/text/escape.js'
import { knetstat, knetstatUntil } from '../helpers/cli.js'
import { HOSTILE_NAMES, holdHostile, UNSAFE_FOR_TERMINAL } from '../helpers/hostile.js'
import { TCP_HEADER } from '../helpers/knetstat-text.js'
import { NOBODY } from '../helpers/nobody.js'

// A real uid unlike the effective one makes the exec secure (AT_SECURE), and the
// loader then ignores LD_PRELOAD: the ASan suite (test/asan/run.sh) preloads its
// runtime that way, and the command could not load the sanitized addon at all.
const SECURE_EXEC_DROPS_PRELOAD = (process.env.LD_PRELOAD ?? '') === '' ? false : 'LD_PRELOAD is set (the ASan suite): a secure exec would drop it'

// The command's output with every unsafe character shown, for the assertion message.
const shown = (s: string): string => JSON.stringify(s.match(new RegExp(UNSAFE_FOR_TERMINAL, 'gu'))?.slice(0, 5))

for (const { label, bytes } of HOSTILE_NAMES) {
  t.test(`a process named ${label}`, async (t) => {
    const holder = await holdHostile(bytes)
    t.teardown(() => holder.close())
    const { pid, port, comm } = holder.info
    t.equal(comm, bytes.toString('hex'), 'the kernel holds the hostile name as given')
    const name = bytes.toString('utf8')
    const escaped = escapeForDisplay(name).replace(/"/g, '\\"')

    const table = knetstat(['-tp', '--port', String(port)])
    t.equal(table.status, 0, table.stderr)
    t.notMatch(table.stdout, UNSAFE_FOR_TERMINAL, `no raw control in the table ${shown(table.stdout)}`)
    t.ok(table.stdout.includes(`users:(("${escaped}",pid=${pid},fd=`), 'the users column shows the name escaped')
    t.match(table.stdout, /TCP_NODELAY=1/, "root reads the process's options")

    for (const format of ['--json', '--ndjson']) {
      const json = knetstat([format, '-tp', '--port', String(port)])
      t.equal(json.status, 0)
      t.notMatch(json.stdout, UNSAFE_FOR_TERMINAL, `${format}: no raw control ${shown(json.stdout)}`)
      const first = JSON.parse(json.stdout.split('\n')[0] === '[' ? json.stdout : json.stdout.split('\n')[0]!) as unknown
      const entry = (Array.isArray(first) ? first[0] : first) as { processes: { command: string }[] }
      t.equal(entry.processes[0]?.command, name, `${format}: the value itself is unchanged`)
    }

    // uid 65534 may find the process (its fsuid owns it) but not pidfd_getfd it (its
    // real uid does not): the EPERM message names the process, and its name.
    await t.test('the options error of a uid that finds the process but may not read it', { skip: SECURE_EXEC_DROPS_PRELOAD }, async (t) => {
      const split = knetstat(['-tp', '--port', String(port), '--source', 'pidfd'], { asUser: ['--ruid=65533', `--euid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] })
      t.equal(split.status, 0, split.stderr)
      t.match(split.stderr, new RegExp(`no options for 1 socket \\(EPERM\\), e\\.g\\.: not permitted to read the options of process ${pid} \\(`))
      t.ok(split.stderr.includes(`(${escapeForDisplay(name)}) of uid ${NOBODY}`), 'the message quotes the name escaped')
      t.notMatch(split.stderr, UNSAFE_FOR_TERMINAL, `no raw control on stderr ${shown(split.stderr)}`)
      t.notMatch(split.stdout, UNSAFE_FOR_TERMINAL, `no raw control on stdout ${shown(split.stdout)}`)
    })

    const frames = await knetstatUntil(['--watch', '0.1', '-tp', '--port', String(port)], (out) => out.includes(`pid=${pid},`))
    t.ok(frames.includes(`users:(("${escaped}",pid=${pid},fd=`), 'a watch frame shows the name escaped')
    t.notMatch(frames, UNSAFE_FOR_TERMINAL, `no raw control in watch frames ${shown(frames)}`)
  })
}

t.test('a recording and a path holding controls: errors on stderr are escaped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'knetstat-hostile-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const line = '     0      0 127.0.0.1:80            0.0.0.0:*               LSTN      TCP_CONGESTION=\u009b2J\u202eevil\x1b]0;X\x07\n'
  writeFileSync(join(dir, 'tcpstat'), `${TCP_HEADER}\n${line}`)
  const bad = knetstat(['--proc-net', dir])
  t.equal(bad.status, 1, 'a recording that is not knetstat text fails')
  t.match(bad.stderr, /tcpstat: line 2/, 'the error says where')
  t.notMatch(bad.stderr, UNSAFE_FOR_TERMINAL, `no raw control on stderr ${shown(bad.stderr)}`)

  const missing = knetstat(['--proc-net', join(dir, 'no\x1b[2J\u202esuch')])
  t.equal(missing.status, 1)
  t.ok(missing.stderr.includes(escapeForDisplay('no\x1b[2J\u202esuch')), 'the path is shown escaped')
  t.notMatch(missing.stderr, UNSAFE_FOR_TERMINAL, `no raw control on stderr ${shown(missing.stderr)}`)

  const usage = knetstat(['--state', '\x1b[2J\u009b'])
  t.equal(usage.status, 2)
  t.notMatch(usage.stderr, UNSAFE_FOR_TERMINAL, `a usage error quoting its argument: ${shown(usage.stderr)}`)
})

t.test('option values from a recording (congestion, device names) are shown escaped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'knetstat-hostile-values-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // Valid knetstat text: string values travel as \xHH per UTF-8 byte (ESC, U+009B, U+202E).
  const value = '\\x1b]0;X\\x07\\xc2\\x9b\\xe2\\x80\\xae'
  writeFileSync(
    join(dir, 'tcpstat'),
    `${TCP_HEADER}\n` +
      `     0      0 127.0.0.1:80            0.0.0.0:*               LSTN      TCP_CONGESTION=${value},SO_BINDTODEVICE=${value}\n`,
  )
  const table = knetstat(['--proc-net', dir, '-t4'])
  t.equal(table.status, 0, table.stderr)
  t.ok(table.stdout.includes(`TCP_CONGESTION=${value},SO_BINDTODEVICE=${value}`), 'the table shows the text form')
  t.notMatch(table.stdout, UNSAFE_FOR_TERMINAL, `table ${shown(table.stdout)}`)
  const json = knetstat(['--proc-net', dir, '-t4', '--json'])
  t.notMatch(json.stdout, UNSAFE_FOR_TERMINAL, `JSON ${shown(json.stdout)}`)
  const parsed = JSON.parse(json.stdout) as { options: Record<string, string> }[]
  t.equal(parsed[0]?.options.TCP_CONGESTION, '\x1b]0;X\x07\u009b\u202e', 'the JSON value is exact')
  const check = knetstat(['check', '--proc-net', dir, '--port', '80', '--expect-listener', 'TCP_CONGESTION=bbr'])
  t.equal(check.status, 1)
  t.match(check.stdout, /TCP_CONGESTION=bbr expected on the listener: has TCP_CONGESTION=/)
  t.notMatch(check.stdout, UNSAFE_FOR_TERMINAL, `check ${shown(check.stdout)}`)
  const checkJson = knetstat(['check', '--proc-net', dir, '--port', '80', '--expect-listener', 'TCP_CONGESTION=bbr', '--json'])
  t.equal(checkJson.status, 1)
  t.notMatch(checkJson.stdout, UNSAFE_FOR_TERMINAL, `check --json ${shown(checkJson.stdout)}`)
  t.equal((JSON.parse(checkJson.stdout) as { findings: { actual: string }[] }).findings[0]?.actual, value, 'the value in text form')
})

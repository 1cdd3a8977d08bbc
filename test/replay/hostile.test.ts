// Hostile recordings: a replay reads only regular files of a sane size, never follows
// a symlink out of the recording, never blocks on a FIFO or device, and says what is
// wrong, where, and what to do, without quoting file contents raw or at length.
// Every file here is real: a FIFO from mkfifo, devices from mknod (as root), sparse
// files from truncate.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { KnetstatParseError, listSockets, ReplayError, streamSockets } from '../../src/index.js'
import { TEXT_FIXTURES as FIXTURES, textFixture } from '../helpers/knetstat-text.js'

const TCPSTAT = textFixture('tcpstat')
const scratch = mkdtempSync(join(tmpdir(), 'knetstat-hostile-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
const isRoot = process.getuid?.() === 0

let n = 0
/** A fresh recording directory whose tcpstat is made by `make(path)`. */
function recording(make: (tcpstat: string) => void): string {
  const dir = join(scratch, `rec-${n++}`)
  mkdirSync(dir)
  make(join(dir, 'tcpstat'))
  return dir
}

const NOT_FILE = 'ERR_KNETSTAT_RECORDING_NOT_FILE'
const TOO_LARGE = 'ERR_KNETSTAT_RECORDING_TOO_LARGE'

t.test('a FIFO as tcpstat is refused at once, with no writer ever opened', async (t) => {
  const dir = recording((p) => execFileSync('mkfifo', [p]))
  await t.rejects(listSockets({ procNet: dir }), {
    name: 'ReplayError',
    code: NOT_FILE,
    path: join(dir, 'tcpstat'),
    message: /cannot read .*tcpstat: it is a FIFO, not a regular file; a replay reads only regular files/,
  })
  // A FIFO that is not asked for is not touched.
  writeFileSync(join(dir, 'udpstat'), textFixture('udpstat'))
  t.equal((await listSockets({ procNet: dir, proto: 'udp' })).length, 3, 'a query for udp replays udpstat beside the FIFO')
})

t.test('devices are refused before they are opened', { skip: !isRoot && 'mknod needs root' }, async (t) => {
  const zero = recording((p) => execFileSync('mknod', [p, 'c', '1', '5'])) // /dev/zero's numbers
  await t.rejects(listSockets({ procNet: zero }), { code: NOT_FILE, message: /it is a character device/ })
  const block = recording((p) => execFileSync('mknod', [p, 'b', '7', '0'])) // a loop device
  await t.rejects(listSockets({ procNet: block }), { code: NOT_FILE, message: /it is a block device/ })
})

t.test('a symlink is refused, even to /dev/zero or to a secret, whose content is never quoted', async (t) => {
  const zero = recording((p) => symlinkSync('/dev/zero', p))
  await t.rejects(listSockets({ procNet: zero }), { name: 'ReplayError', code: 'ELOOP', message: /is a symbolic link.*cp -L/ })

  const secret = join(scratch, 'secret')
  writeFileSync(secret, 'root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n', { mode: 0o600 })
  const leak = recording((p) => symlinkSync(secret, p))
  const error = await listSockets({ procNet: leak }).catch((e: unknown) => e)
  t.type(error, ReplayError)
  t.equal((error as ReplayError).code, 'ELOOP')
  t.notMatch((error as Error).message, /saltsalt|root:/, 'not a byte of the target is in the message')

  // A relative symlink to a good fixture too: the rule is simple and has no exceptions.
  const fixture = recording((p) => symlinkSync(join(FIXTURES, 'tcpstat'), p))
  await t.rejects(listSockets({ procNet: fixture }), { code: 'ELOOP' })
  t.ok(await streamSockets({ procNet: FIXTURES }).next(), 'the directory itself may be reached through a symlink (the user names it)')
})

t.test('a directory named tcpstat is EISDIR', async (t) => {
  const dir = recording((p) => mkdirSync(p))
  await t.rejects(listSockets({ procNet: dir }), { code: 'EISDIR', message: /tcpstat \(EISDIR\): it is a directory/ })
})

t.test('a huge sparse file is refused by its size, unread', async (t) => {
  const dir = recording((p) => execFileSync('truncate', ['-s', '200G', p]))
  await t.rejects(listSockets({ procNet: dir }), {
    name: 'ReplayError',
    code: TOO_LARGE,
    path: join(dir, 'tcpstat'),
    message: /it is 214748364800 bytes, over the limit of 134217728 bytes for a recorded file \(maxRecordingBytes\).*raise the limit: procNet: \{ path, maxRecordingBytes \}/,
  })
})

t.test('a sparse file under the limit fails at its first line, read no further than needed', async (t) => {
  // 100 MB of NULs: line 1 is no header, and the parser says so after MAX_LINE_LENGTH characters.
  const dir = recording((p) => execFileSync('truncate', ['-s', '100M', p]))
  const error = await listSockets({ procNet: dir }).catch((e: unknown) => e)
  t.type(error, KnetstatParseError)
  t.match((error as Error).message, /tcpstat: line 1, column 1: missing header: found "(\\x00)+…"/)
  t.ok((error as Error).message.length < 400, 'a short message')
})

t.test('maxRecordingBytes: the limit of each file, checked on open and while reading', async (t) => {
  const dir = recording((p) => writeFileSync(p, TCPSTAT))
  const size = Buffer.byteLength(TCPSTAT)
  t.equal((await listSockets({ procNet: { path: dir, maxRecordingBytes: size } })).length, 17, 'a file of exactly the limit is read')
  await t.rejects(listSockets({ procNet: { path: dir, maxRecordingBytes: size - 1 } }), {
    code: TOO_LARGE,
    message: new RegExp(`it is ${size} bytes, over the limit of ${size - 1} bytes`),
  })
  await t.rejects(listSockets({ procNet: { path: dir, maxRecordingBytes: 0 } }), { name: 'TypeError', message: /maxRecordingBytes must be a positive integer/ })
  await t.rejects(listSockets({ procNet: { path: dir, maxRecordingBytes: '1e9' } as never }), { name: 'TypeError' })
  await t.rejects(listSockets({ procNet: { path: dir, limit: 5 } as never }), { name: 'TypeError', message: /procNet\.limit is not a field of \{ path, maxRecordingBytes \}/ })
  await t.rejects(listSockets({ procNet: { path: '' } }), { name: 'TypeError', message: /procNet\.path must be the directory/ })
})

t.test('a 50 MB single line is rejected at its first 16 KiB, as a KnetstatParseError', async (t) => {
  const dir = recording((p) => writeFileSync(p, TCPSTAT.split('\n')[0] + '\n' + '7'.repeat(50 * 1024 * 1024)))
  await t.rejects(listSockets({ procNet: dir }), { name: 'KnetstatParseError', line: 2, column: 16385, message: /line longer than 16384 characters/ })
})

t.test('control characters in paths and contents never reach a message raw', async (t) => {
  const dir = join(scratch, 'evil\x1b]0;title\x07\u202e')
  mkdirSync(dir)
  writeFileSync(join(dir, 'tcpstat'), TCPSTAT + '     0      0 127.0.0.1:22            127.0.0.1:5000          \x1b[2J\n')
  const error = await listSockets({ procNet: dir }).catch((e: unknown) => e)
  t.type(error, KnetstatParseError)
  const message = (error as Error).message
  t.notMatch(message, /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/, 'no raw control or bidi character')
  t.match(message, /evil\\x1b\]0;title\\x07\\u\{202e\}\/tcpstat: line 19, column 63: unknown state code "\\x1b\[2J"/)
  t.equal((error as KnetstatParseError).file, join(dir, 'tcpstat'), 'the file property keeps the real path')
})

t.test("Node's own fs messages, which quote the path, are escaped too", async (t) => {
  const missing = join(scratch, 'missing\x1b[2J\u202e')
  const error = await listSockets({ procNet: missing }).catch((e: unknown) => e)
  t.match(error, { name: 'ReplayError', code: 'ENOENT', path: missing })
  t.notMatch((error as Error).message, /[\x00-\x1f\u202e]/)
  t.match((error as Error).message, /missing\\x1b\[2J\\u\{202e\} \(ENOENT\): ENOENT: no such file or directory, stat '.*missing\\x1b\[2J\\u\{202e\}'/)
})

/** Whether this process may bind-mount (root with CAP_SYS_ADMIN, outside most containers). */
function canBindMount(): boolean {
  const probe = join(scratch, 'probe')
  writeFileSync(probe, '')
  try {
    execFileSync('mount', ['--bind', '/proc/cpuinfo', probe], { stdio: 'ignore' })
    execFileSync('umount', [probe], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

t.test('a file that reads longer than its fstat size is cut at limit + 1 bytes', { skip: !canBindMount() && 'mount --bind is not permitted here' }, async (t) => {
  // A procfs file says size 0 and holds more: bind-mounted as tcpstat, it stands for
  // a file that grows while it is read.
  const dir = recording((p) => writeFileSync(p, ''))
  const tcpstat = join(dir, 'tcpstat')
  execFileSync('mount', ['--bind', '/proc/cpuinfo', tcpstat], { stdio: 'ignore' })
  t.teardown(() => execFileSync('umount', [tcpstat]))
  await t.rejects(listSockets({ procNet: { path: dir, maxRecordingBytes: 100 } }), {
    code: TOO_LARGE,
    message: /it is more than 100 bytes, over the limit of 100 bytes/,
  })
  // Within the limit it is read to its end like any file, and is not knetstat text.
  await t.rejects(listSockets({ procNet: dir }), { name: 'KnetstatParseError', line: 1, message: /missing header/ })
})

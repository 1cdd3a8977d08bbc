// The lstat before open is only a courtesy (devices unopened); the fstat of the opened
// descriptor decides. Here lstat is made to lie, as if the file had been swapped
// between the two: a FIFO must still be refused, and opened without blocking (no
// writer ever comes), and a symlink must still not be followed.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import * as fsPromises from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'

const scratch = mkdtempSync(join(tmpdir(), 'knetstat-swap-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
const regular = join(scratch, 'regular')
writeFileSync(regular, 'x')

// lstat answers for tcpstat as if it were the regular file.
const recording = (await t.mockImport('../../src/sources/replay/index.js', {
  'node:fs/promises': {
    ...fsPromises,
    lstat: (path: string) => fsPromises.lstat(path.endsWith('tcpstat') ? regular : path),
  },
})) as typeof import('../../src/sources/replay/index.js')

const all = (): boolean => true

t.test('a FIFO swapped in after the lstat: opened without blocking, refused by fstat', { timeout: 60_000 }, async (t) => {
  const dir = join(scratch, 'fifo')
  mkdirSync(dir)
  execFileSync('mkfifo', [join(dir, 'tcpstat')])
  await t.rejects(recording.readRecording(dir, all), { name: 'ReplayError', code: 'ERR_KNETSTAT_RECORDING_NOT_FILE', message: /it is a FIFO/ })
})

t.test('a symlink swapped in after the lstat: not followed (O_NOFOLLOW)', async (t) => {
  const dir = join(scratch, 'link')
  mkdirSync(dir)
  symlinkSync('/etc/passwd', join(dir, 'tcpstat'))
  const error = await recording.readRecording(dir, all).catch((e: unknown) => e)
  t.match(error, { name: 'ReplayError', code: 'ELOOP', message: /is a symbolic link/ })
  t.notMatch((error as Error).message, /root:/, 'nothing of the target is quoted')
})

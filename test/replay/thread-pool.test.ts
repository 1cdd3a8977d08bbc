// Hostile replays never park libuv's thread pool (4 threads by default): reading a
// FIFO without a writer used to hold a thread each, so four listings stalled every
// fs call of the application. Here eight run at once, and an unrelated readFile must
// still complete; the listings must all reject with clear errors. No timed assertion:
// a regression hangs, and the tap timeout below is the hang detector.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { listSockets, streamSockets, type SocketEntry } from '../../src/index.js'

const scratch = mkdtempSync(join(tmpdir(), 'knetstat-pool-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

/** Recordings whose tcpstat would block a thread or never end if read naively. */
function hostileRecordings(): string[] {
  const dirs: string[] = []
  const make = (name: string, how: (p: string) => void): void => {
    const dir = join(scratch, name)
    mkdirSync(dir)
    how(join(dir, 'tcpstat'))
    dirs.push(dir)
  }
  for (let i = 0; i < 6; i++) make(`fifo-${i}`, (p) => execFileSync('mkfifo', [p]))
  make('zero-link', (p) => symlinkSync('/dev/zero', p))
  make('sparse', (p) => execFileSync('truncate', ['-s', '1T', p]))
  return dirs
}

t.test('eight hostile listings at once leave the thread pool free', { timeout: 60_000 }, async (t) => {
  const unrelated = join(scratch, 'unrelated')
  writeFileSync(unrelated, 'still readable')
  const dirs = hostileRecordings()
  const settled: string[] = []
  const listings = dirs.map((dir, i) =>
    (i % 2 === 0 ? listSockets({ procNet: dir }) : drain(streamSockets({ procNet: dir }))).then(
      () => {
        settled.push(`${dir}: resolved`)
        return null
      },
      (error: unknown) => {
        settled.push(`${dir}: rejected`)
        return error
      },
    ),
  )
  // Started after the listings, so it queues behind whatever they put on the pool.
  t.equal(await readFile(unrelated, 'utf8'), 'still readable', 'an unrelated fs call completes')
  const errors = await Promise.all(listings)
  t.equal(settled.length, dirs.length, 'every listing settled')
  errors.forEach((error, i) => {
    const dir = dirs[i] as string
    t.match(error, { name: 'ReplayError', path: join(dir, 'tcpstat'), message: /cannot read .*tcpstat/ }, `${dir} rejects with a ReplayError naming its file`)
  })
  t.same(
    errors.map((e) => (e as { code?: string }).code),
    [...Array(6).fill('ERR_KNETSTAT_RECORDING_NOT_FILE'), 'ELOOP', 'ERR_KNETSTAT_RECORDING_TOO_LARGE'],
    'each with the code of what is wrong',
  )
  t.equal(await readFile(unrelated, 'utf8'), 'still readable', 'and the pool is still free afterwards')
})

async function drain(stream: AsyncIterable<SocketEntry>): Promise<void> {
  for await (const _ of stream) {
    // nothing: only whether it ends
  }
}

// AbortSignal on replays: honoured before reading, between files, while a big file
// or text is parsed (in chunks, between turns of the event loop), and between the
// entries of a stream. An aborted replay rejects with the signal's reason.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { listSockets, streamSockets } from '../../src/index.js'
import { bigTcpTable, TEXT_FIXTURES as FIXTURES, textFixture } from '../helpers/knetstat-text.js'

const scratch = mkdtempSync(join(tmpdir(), 'knetstat-replay-abort-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

const BIG = bigTcpTable(200_000) // ~20 MB: hundreds of chunks
const bigDir = join(scratch, 'big')
mkdirSync(bigDir)
writeFileSync(join(bigDir, 'tcpstat'), BIG)
writeFileSync(join(bigDir, 'udpstat'), textFixture('udpstat'))

t.test('the big table is valid (so an abort, not an error, is what stops it)', async (t) => {
  t.equal((await listSockets({ procNet: { tcpstat: BIG } })).length, 200_000)
})

t.test('an already aborted signal rejects before anything is read', async (t) => {
  const reason = new Error('stop')
  await t.rejects(listSockets({ procNet: join(scratch, 'does-not-exist'), signal: AbortSignal.abort(reason) }), reason, 'not ENOENT: nothing was read')
  await t.rejects(streamSockets({ procNet: bigDir, signal: AbortSignal.abort(reason) }).next(), reason)
})

for (const [what, procNet] of [
  ['a big file', bigDir],
  ['a big text', { tcpstat: BIG }],
] as const) {
  t.test(`aborting while ${what} is parsed rejects with the reason, mid-way`, async (t) => {
    const controller = new AbortController()
    let turns = 0
    // Counts the turns of the event loop the replay gives while it works.
    const ticker = setInterval(() => {
      turns++
      if (turns === 3) controller.abort(new Error(`aborted after ${turns} turns`))
    }, 0)
    t.teardown(() => clearInterval(ticker))
    await t.rejects(listSockets({ procNet, signal: controller.signal }), { message: 'aborted after 3 turns' })
    t.ok(turns >= 3, 'the event loop ran while the replay worked')
  })
}

t.test('aborting while a directory of small files is read rejects', async (t) => {
  // Reading the four fixtures takes many trips to the thread pool (lstat, open, fstat,
  // read, close each), hence many turns of the event loop: the abort at the first
  // turn lands between two of them, and the listing must not resolve.
  const controller = new AbortController()
  const listing = listSockets({ procNet: FIXTURES, signal: controller.signal })
  setImmediate(() => controller.abort())
  await t.rejects(listing, { name: 'AbortError' })
  t.equal((await listSockets({ procNet: FIXTURES })).length, 28, 'unaborted, the same listing completes')
})

t.test('a stream of a replay stops between entries when the signal fires', async (t) => {
  const controller = new AbortController()
  const stream = streamSockets({ procNet: FIXTURES, signal: controller.signal })
  const first = await stream.next()
  t.equal(first.done, false, 'an entry came')
  controller.abort(new Error('enough'))
  await t.rejects(stream.next(), { message: 'enough' })
})

// The pidfd reader and the /proc scan work from worker_threads too (context-aware
// addon, no shared state): two workers and the main thread list at the same time.
import { Worker } from 'node:worker_threads'
import t from 'tap'
import { listSockets } from '../../src/index.js'
import { holdOptions, socketOf } from '../helpers/sockopt-holder.js'

const held = await holdOptions('options')
t.teardown(() => held.close())
const inode = socketOf(held.info, 'tcp4.listen').inode

const source = `
  import { parentPort, workerData } from 'node:worker_threads'
  const { listSockets } = await import(workerData.module)
  const entries = await listSockets({ proto: 'tcp', processes: true })
  const e = entries.find((x) => x.inode === workerData.inode)
  parentPort.postMessage({ options: e?.options ?? null, pid: e?.processes?.[0]?.pid ?? null })
`

function inWorker(): Promise<{ options: Record<string, unknown> | null; pid: number | null }> {
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), {
    workerData: { module: new URL('../../src/index.ts', import.meta.url).href, inode },
  })
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => {
      resolve(m)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

t.test('two workers and the main thread read the same options', async (t) => {
  const [a, b, main] = await Promise.all([inWorker(), inWorker(), listSockets({ proto: 'tcp', processes: true })])
  const mine = main.find((x) => x.inode === inode)
  t.equal(mine?.options?.TCP_KEEPIDLE, 77)
  t.same(a.options, mine?.options, 'worker 1')
  t.same(b.options, mine?.options, 'worker 2')
  t.equal(a.pid, held.info.pid)
})

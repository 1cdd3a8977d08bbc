// A worker_threads body for test/workers/workers.test.ts. workerData:
//   module  the library's entry (URL)
//   inodes  the sockets whose options the test compares, ports their local ports
//   mode    'rounds': run `rounds` listings of every kind, post what was seen, exit
//           'loop':   list without end (the test terminates the thread mid-listing),
//                     posting 'listing' as each one starts
import { parentPort, workerData } from 'node:worker_threads'

const { listSockets, streamSockets } = await import(workerData.module)
const wanted = new Set(workerData.inodes)

/** The options (and first holder pid) of the wanted inodes, as one listing saw them. */
function seen(entries) {
  const out = {}
  for (const e of entries) {
    if (wanted.has(e.inode)) out[e.inode] = { options: e.options, source: e.optionsSource, pid: e.processes?.[0]?.pid ?? null }
  }
  return out
}

/** The kinds of listing, each through a different native path. */
const kinds = [
  () => listSockets({ proto: 'tcp', processes: true, options: 'pidfd' }),
  () => listSockets({ proto: 'tcp', tcpInfo: true, options: 'pidfd', processes: true }),
  async () => {
    const entries = []
    for await (const e of streamSockets({ proto: 'tcp', options: 'pidfd', processes: true })) entries.push(e)
    return entries
  },
  () => listSockets({ options: 'pidfd', processes: true, port: workerData.ports }),
]

if (workerData.mode === 'rounds') {
  const results = []
  for (let round = 0; round < workerData.rounds; round++) {
    const entries = await kinds[round % kinds.length]()
    results.push({ kind: round % kinds.length, count: entries.length, seen: seen(entries) })
  }
  parentPort.postMessage({ results })
} else {
  for (let i = 0; ; i++) {
    parentPort.postMessage('listing')
    await kinds[i % kinds.length]()
  }
}

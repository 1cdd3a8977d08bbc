// The pidfd reader borrows each socket into this process (pidfd_getfd) while it reads
// its options. A /proc scan of another listing running at the same time must never
// report this process as a holder of a socket it only borrowed: before the two were
// made to exclude each other (src-native/util/borrow_gate.h), 64 concurrent listings
// showed it a few times a round.
import t from 'tap'
import { listSockets } from '../../src/index.js'
import { holdOptions } from '../helpers/sockopt-holder.js'

const held = await holdOptions('options')
t.teardown(() => held.close())
const inodes = new Set(held.info.sockets.map((s) => s.inode))
// The holder's ports only: on a host holding many other sockets (a benchmark's farm),
// 768 listings of every socket would not end in the test's time.
const port = [...new Set(held.info.sockets.map((s) => s.port))]

t.test('concurrent option reads and holder scans: only the real holder is listed', async (t) => {
  const rounds = 12
  let scans = 0
  const strangers = new Set<number>()
  for (let round = 0; round < rounds; round++) {
    // Half read options through pidfd (borrowing every socket), half scan for holders.
    const listings = Array.from({ length: 64 }, (_, i) =>
      listSockets(i % 2 === 0 ? { proto: ['tcp', 'udp'], port, options: 'pidfd' } : { proto: ['tcp', 'udp'], port, processes: true, options: false }),
    )
    for (const entries of await Promise.all(listings)) {
      for (const entry of entries) {
        if (entry.inode === null || !inodes.has(entry.inode) || entry.processes === undefined) continue
        scans++
        for (const holder of entry.processes) if (holder.pid !== held.info.pid) strangers.add(holder.pid)
      }
    }
  }
  t.ok(scans >= rounds * 32 * inodes.size, `${scans} held sockets seen by the scans`)
  t.same([...strangers], [], `no holder but the holder ${held.info.pid} (this process is ${process.pid})`)
})

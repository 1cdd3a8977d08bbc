// The module source joins what a newer module prints beside the options this version
// knows: otherOptions goes with options, and counts when lines of one key must agree.
import t from 'tap'
import { formatKnetstat, type SocketEntry } from '../../src/index.js'
import { joinModule } from '../../src/sources/module/index.js'
import { moduleTable, netlinkLike, TCP_HEADER } from '../helpers/knetstat-text.js'

const listener = (future: string): string =>
  `     0      0 0.0.0.0:80              0.0.0.0:*               LSTN      SO_REUSEADDR=1,SO_REUSEPORT=1,TCP_NODELAY=1,SO_FUTURE=${future}\n`

const fromNetlink = (text: string): SocketEntry[] => netlinkLike(text, 4, (_, i) => ({ inode: 100 + i, uid: 1000 }))

t.test('a joined entry gets the line’s otherOptions', async (t) => {
  const text = TCP_HEADER + '\n' + listener('abc')
  const entries = fromNetlink(text)
  t.equal(entries[0]?.otherOptions, undefined, 'netlink has none')
  await joinModule(entries, [moduleTable(text, 4)])
  t.same(entries[0]?.otherOptions, { SO_FUTURE: 'abc' })
  t.equal(formatKnetstat(entries), text, 'and formats back to the module’s line')
})

t.test('lines of one key that differ only in otherOptions do not agree', async (t) => {
  // Three lines of one key, two sockets left: pairing by position is off.
  const text = TCP_HEADER + '\n' + listener('a') + listener('b') + listener('b')
  const entries = fromNetlink(text).slice(0, 2)
  const stats = await joinModule(entries, [moduleTable(text, 4)])
  t.equal(stats.ambiguous, 2)
  t.ok(entries.every((e) => e.options === null && e.otherOptions === undefined && e.optionsError?.code === 'EAGAIN'))
})

// The address filters apply to replayed recordings too, in listSockets and
// streamSockets alike (the kernel-side program has no part there).
import t from 'tap'
import { listSockets, streamSockets, type SocketEntry } from '../../src/index.js'
import { TEXT_FIXTURES as FIXTURES } from '../helpers/knetstat-text.js'

const ends = (e: SocketEntry) => `${e.local.address}:${e.local.port} ${e.remote.address}:${e.remote.port}`

t.test('localAddress, remoteAddress and address filter a replay', async (t) => {
  const all = await listSockets({ procNet: FIXTURES })
  for (const query of [{ localAddress: '127.0.0.1' }, { localAddress: '::1' }, { address: '0.0.0.0/0' }, { remoteAddress: '192.168.0.0/16' }, { localAddress: ['::/0'] }]) {
    const match = (e: SocketEntry): boolean => {
      const v4 = (a: string) => (a.includes(':') ? (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : null) : a)
      if ('localAddress' in query && query.localAddress === '127.0.0.1') return v4(e.local.address) === '127.0.0.1'
      if ('localAddress' in query && query.localAddress === '::1') return e.local.address === '::1'
      if ('address' in query) return v4(e.local.address) !== null || v4(e.remote.address) !== null
      if ('remoteAddress' in query) return (v4(e.remote.address) ?? '').startsWith('192.168.')
      return e.family === 6
    }
    const expected = all.filter(match).map(ends)
    t.same((await listSockets({ procNet: FIXTURES, ...query })).map(ends), expected, JSON.stringify(query))
    const streamed: string[] = []
    for await (const e of streamSockets({ procNet: FIXTURES, ...query })) streamed.push(ends(e))
    t.same(streamed, expected, `streamed ${JSON.stringify(query)}`)
  }
})

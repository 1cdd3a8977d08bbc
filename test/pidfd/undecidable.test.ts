// What pidfd cannot decide it does not report, and says so (optionsUndecidable):
// getsockopt shows neither the buffer lock bits nor whether a keepalive value is the
// socket's own or the sysctl's. Real sockets, set by a real process.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { formatKnetstat, listSockets, type SocketEntry } from '../../src/index.js'
import { holdOptions, socketOf, type Holder } from '../helpers/sockopt-holder.js'

const sysctl = (name: string): number[] => readFileSync(`/proc/sys/net/${name}`, 'utf8').trim().split(/\s+/).map(Number)
const [rmemDefault] = sysctl('core/rmem_default') as [number]
const [wmemDefault] = sysctl('core/wmem_default') as [number]

const defaults = await holdOptions('defaults')
const plain = await holdOptions('plain')
t.teardown(async () => {
  await defaults.close()
  await plain.close()
})
const entries = await listSockets({ options: 'pidfd' })

function entryOf(holder: Holder, label: string): SocketEntry {
  const s = socketOf(holder, label)
  const e = entries.find((x) => x.inode === s.inode)
  if (e === undefined) throw new Error(`${label} (inode ${s.inode}) is not listed`)
  if (e.optionsSource !== 'pidfd') throw new Error(`${label}: options from ${e.optionsSource}, not pidfd (${e.optionsError?.message})`)
  return e
}

const keepaliveAtSysctl = { TCP_KEEPIDLE: 'equals-default', TCP_KEEPCNT: 'equals-default', TCP_KEEPINTVL: 'equals-default' }

t.test('an established connection with no buffer set: no SO_RCVBUF/SO_SNDBUF, marked autotuned', async (t) => {
  for (const family of [4, 6]) {
    for (const side of ['client', 'server']) {
      const e = entryOf(plain.info, `tcp${family}.${side}`)
      t.equal(e.state, 'ESTABLISHED')
      t.notOk('SO_RCVBUF' in (e.options ?? {}), `tcp${family}.${side}: no SO_RCVBUF`)
      t.notOk('SO_SNDBUF' in (e.options ?? {}), `tcp${family}.${side}: no SO_SNDBUF`)
      t.strictSame(
        e.optionsUndecidable,
        { SO_RCVBUF: 'autotuned', SO_SNDBUF: 'autotuned', ...keepaliveAtSysctl, TCP_MAXSEG: 'effective-value' },
        `tcp${family}.${side}: what is undecidable, and why`,
      )
    }
  }
})

t.test('a UDP buffer set to exactly half the default (stored: the default) is undecidable, not reported', async (t) => {
  const held = socketOf(defaults.info, 'udp.half-default')
  // The premise: the kernel doubled what was set, which made exactly a new socket's size.
  t.equal(held.rcvbuf, rmemDefault, 'stored SO_RCVBUF is net.core.rmem_default')
  t.equal(held.sndbuf, wmemDefault, 'stored SO_SNDBUF is net.core.wmem_default')
  const e = entryOf(defaults.info, 'udp.half-default')
  t.equal(e.options?.SO_RCVBUF, undefined, 'SO_RCVBUF not reported')
  t.equal(e.options?.SO_SNDBUF, undefined, 'SO_SNDBUF not reported')
  t.strictSame(e.optionsUndecidable, { SO_RCVBUF: 'equals-default', SO_SNDBUF: 'equals-default' })
})

t.test('a UDP buffer off the default was set: reported as set, nothing undecidable', async (t) => {
  const e = entryOf(defaults.info, 'udp.off-default')
  t.equal(e.options?.SO_RCVBUF, Math.floor(rmemDefault / 2) + 1000)
  t.equal(e.options?.SO_SNDBUF, Math.floor(wmemDefault / 2) + 1000)
  t.equal(e.optionsUndecidable, undefined, 'no optionsUndecidable')
})

t.test('keepalive, buffers and TCP_MAXSEG set to what an unset listener reads are undecidable', async (t) => {
  const e = entryOf(defaults.info, 'tcp.listen-at-defaults')
  t.equal(e.options?.SO_KEEPALIVE, true, 'the flag is still reported')
  for (const name of ['TCP_KEEPIDLE', 'TCP_KEEPCNT', 'TCP_KEEPINTVL', 'SO_RCVBUF', 'SO_SNDBUF', 'TCP_MAXSEG']) {
    t.notOk(name in (e.options ?? {}), `${name} not reported`)
  }
  t.strictSame(e.optionsUndecidable, { ...keepaliveAtSysctl, SO_RCVBUF: 'equals-default', SO_SNDBUF: 'equals-default', TCP_MAXSEG: 'equals-default' })
})

t.test('the text format prints options only: nothing undecidable appears', async (t) => {
  const client = entryOf(plain.info, 'tcp4.client')
  const text = formatKnetstat([client], { proto: 'tcp' })
  t.match(text, /TCP_NODELAY=0/, 'the decided options are printed')
  t.notMatch(text, /SO_RCVBUF|SO_SNDBUF|TCP_KEEPIDLE|TCP_KEEPCNT|TCP_KEEPINTVL|TCP_MAXSEG|autotuned|default/)
  const udp = formatKnetstat([entryOf(defaults.info, 'udp.half-default')], { proto: 'udp' })
  t.notMatch(udp, /SO_RCVBUF|SO_SNDBUF/)
})

t.test('a listing without options has no optionsUndecidable', async (t) => {
  const bare = await listSockets({ options: false })
  t.equal(bare.filter((e) => 'optionsUndecidable' in e).length, 0)
})

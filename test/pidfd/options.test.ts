// Options read through pidfd_getfd + getsockopt: a child sets every option knetstat
// reads to a non-default value, and listSockets must report each exactly; the same
// sockets with nothing set must report the booleans and no "only when set" option.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { formatKnetstat, listSockets, parseKnetstat, type SocketEntry, type SocketOptions } from '../../src/index.js'
import { holdOptions, socketOf, type Holder } from '../helpers/sockopt-holder.js'

const sysctl = (name: string): string => readFileSync(`/proc/sys/net/${name}`, 'utf8').trim()
const defaultCongestion = sysctl('ipv4/tcp_congestion_control')

const setHolder = await holdOptions('options')
const plainHolder = await holdOptions('plain')
t.teardown(async () => {
  await setHolder.close()
  await plainHolder.close()
})
// The pidfd source by name: as root, 'auto' would take the bpf source.
const entries = await listSockets({ processes: true, options: 'pidfd' })

function entryOf(holder: Holder, label: string): SocketEntry {
  const s = socketOf(holder, label)
  const e = entries.find((x) => x.inode === s.inode)
  if (e === undefined) throw new Error(`${label} (inode ${s.inode}) is not listed`)
  return e
}

const ipLayer = (family: 4 | 6): SocketOptions => (family === 4 ? { IP_TOS: 0x10 } : { IPV6_TCLASS: 0x20, IPV6_V6ONLY: true })
const common: SocketOptions = {
  SO_REUSEADDR: true,
  SO_REUSEPORT: true,
  SO_RCVBUF: 50000,
  SO_SNDBUF: 32768,
  SO_RCVTIMEO: 1500,
  SO_SNDTIMEO: 2500,
  SO_LINGER: 7,
  SO_MARK: 42,
  SO_PRIORITY: 3,
  SO_BINDTODEVICE: 'lo',
  IP_FREEBIND: true,
  IP_TRANSPARENT: true,
}
const tcpSet: SocketOptions = {
  SO_KEEPALIVE: true,
  TCP_KEEPIDLE: 77,
  TCP_KEEPCNT: 5,
  TCP_KEEPINTVL: 13,
  TCP_USER_TIMEOUT: 4321,
  TCP_NODELAY: true,
  TCP_CONGESTION: 'reno',
  TCP_NOTSENT_LOWAT: 16384,
}

t.test('every option set to a non-default value is reported exactly', async (t) => {
  for (const family of [4, 6] as const) {
    const listen = entryOf(setHolder.info, `tcp${family}.listen`)
    t.same(
      listen.options,
      {
        ...common,
        ...tcpSet,
        ...ipLayer(family),
        TCP_FASTOPEN: 5,
        TCP_DEFER_ACCEPT: socketOf(setHolder.info, `tcp${family}.listen`).defer,
        TCP_MAXSEG: 1200,
      },
      `tcp${family} listener`,
    )
    t.strictSame(Object.keys(listen.options ?? {}).sort(), Object.keys({ ...common, ...tcpSet, ...ipLayer(family), TCP_FASTOPEN: 0, TCP_DEFER_ACCEPT: 0, TCP_MAXSEG: 0 }).sort(), `tcp${family} listener: nothing more`)
    t.equal(listen.optionsSource, 'pidfd')
    t.equal(listen.optionsError, undefined)

    t.equal(listen.optionsUndecidable, undefined, `tcp${family} listener: nothing undecidable`)

    // A connection's buffers are undecidable even when set (getsockopt cannot see the
    // lock bit that stops autotuning): not reported, marked.
    const client = entryOf(setHolder.info, `tcp${family}.client`)
    const { SO_RCVBUF, SO_SNDBUF, ...connected } = common
    t.strictSame(
      client.options,
      { ...connected, ...tcpSet, ...ipLayer(family), TCP_DEFER_ACCEPT: socketOf(setHolder.info, `tcp${family}.client`).defer },
      `tcp${family} connected client (no buffers, no TCP_FASTOPEN or TCP_MAXSEG off listeners)`,
    )
    t.strictSame(client.optionsUndecidable, { SO_RCVBUF: 'autotuned', SO_SNDBUF: 'autotuned', TCP_MAXSEG: 'effective-value' }, `tcp${family} client: undecidable`)
    // An accepted socket inherits the listener's options, except what the kernel resets.
    const server = entryOf(setHolder.info, `tcp${family}.server`)
    t.match(server.options, { ...tcpSet, SO_KEEPALIVE: true, SO_LINGER: 7, SO_RCVTIMEO: 1500, SO_BINDTODEVICE: 'lo' }, `tcp${family} accepted socket inherits`)

    const udp = entryOf(setHolder.info, `udp${family}`)
    t.strictSame(udp.options, { ...common, ...ipLayer(family), SO_BROADCAST: true }, `udp${family}`)
    t.equal(udp.optionsUndecidable, undefined, `udp${family}: nothing undecidable`)
  }
})

const keepalive = ['TCP_KEEPIDLE', 'TCP_KEEPCNT', 'TCP_KEEPINTVL']
const buffers = ['SO_RCVBUF', 'SO_SNDBUF']
const atDefault = (names: string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, 'equals-default']))

t.test('sockets with nothing set report the booleans and no "only when set" option; the ones at their default are undecidable', async (t) => {
  for (const family of [4, 6] as const) {
    const ip = family === 4 ? { IP_TOS: 0 } : { IPV6_TCLASS: 0, IPV6_V6ONLY: family === 6 }
    const base = { SO_REUSEADDR: false, SO_REUSEPORT: false, SO_MARK: 0, SO_PRIORITY: 0, IP_FREEBIND: false, IP_TRANSPARENT: false, ...ip }
    const tcpBase = { ...base, SO_KEEPALIVE: false, TCP_NODELAY: false, TCP_DEFER_ACCEPT: 0, TCP_CONGESTION: defaultCongestion }
    t.strictSame(entryOf(plainHolder.info, `tcp${family}.listen`).options, { ...tcpBase, TCP_FASTOPEN: 0 }, `tcp${family} listener`)
    t.strictSame(entryOf(plainHolder.info, `tcp${family}.listen`).optionsUndecidable, { ...atDefault(keepalive), ...atDefault(buffers), TCP_MAXSEG: 'equals-default' })
    for (const side of ['client', 'server']) {
      const entry = entryOf(plainHolder.info, `tcp${family}.${side}`)
      const v6only = family === 6 ? { IPV6_V6ONLY: side === 'server' } : {}
      t.strictSame(entry.options, { ...tcpBase, ...v6only }, `tcp${family}.${side}`)
      t.strictSame(entry.optionsUndecidable, { SO_RCVBUF: 'autotuned', SO_SNDBUF: 'autotuned', ...atDefault(keepalive), TCP_MAXSEG: 'effective-value' })
    }
    const udp = entryOf(plainHolder.info, `udp${family}`)
    t.strictSame(udp.options, { ...base, SO_BROADCAST: false }, `udp${family}`)
    t.strictSame(udp.optionsUndecidable, atDefault(buffers), `udp${family}: its buffers are the defaults`)
  }
})

t.test('processes: the holder with its pid, fd and command', async (t) => {
  const s = socketOf(setHolder.info, 'tcp4.listen')
  t.strictSame(entryOf(setHolder.info, 'tcp4.listen').processes, [{ pid: setHolder.info.pid, fd: s.fd, command: 'python3' }])
})

t.test('the options print as the module would, and parse back', async (t) => {
  const listen = entryOf(setHolder.info, 'tcp4.listen')
  const text = formatKnetstat([listen], { proto: 'tcp' })
  t.match(
    text,
    /LSTN {6}SO_REUSEADDR=1,SO_REUSEPORT=1,SO_KEEPALIVE=1,TCP_KEEPIDLE=77,TCP_KEEPCNT=5,TCP_KEEPINTVL=13,TCP_USER_TIMEOUT=4321,SO_RCVBUF=50000,SO_SNDBUF=32768,SO_RCVTIMEO=1500ms,SO_SNDTIMEO=2500ms,SO_LINGER=7s,TCP_NODELAY=1,TCP_FASTOPEN=5,TCP_DEFER_ACCEPT=\d+,/,
  )
  t.match(text, /TCP_CONGESTION=reno/)
  const back = parseKnetstat(text)[0]
  t.same(back?.options, listen.options, 'the text keeps every value')
})

t.test('options: false reads none and says nothing', async (t) => {
  const plain = await listSockets({ options: false, processes: true })
  const e = plain.find((x) => x.inode === socketOf(setHolder.info, 'tcp4.listen').inode)
  t.equal(e?.options, null)
  t.equal(e?.optionsSource, null)
  t.notOk(e && 'optionsError' in e, 'no optionsError')
  t.equal(e?.processes?.[0]?.pid, setHolder.info.pid, 'processes still listed')
  const noProcesses = await listSockets({ options: false })
  t.equal(noProcesses.find((x) => x.inode === e?.inode)?.processes, undefined, 'processes only when asked')
})

t.test('TIME_WAIT and sockets no visible process holds say why', async (t) => {
  const fileless = entries.filter((e) => e.inode === null)
  const wrong = fileless.filter((e) => e.options !== null || e.optionsError?.code !== 'ENOENT' || e.processes?.length !== 0)
  t.strictSame(wrong, [], `${fileless.length} file-less entries (TIME_WAIT, requests): options null, ENOENT, no processes`)
  const pidfdEntries = await listSockets({ options: 'pidfd' })
  t.ok(pidfdEntries.some((e) => e.optionsSource === 'pidfd'), "options: 'pidfd' reads them too")
})

t.test('query validation', async (t) => {
  await t.rejects(listSockets({ options: 'kernel' as never }), { name: 'TypeError', message: /options "kernel" is not allowed; use 'auto', 'module', 'bpf', 'pidfd' or false/ })
  await t.rejects(listSockets({ options: true as never }), { name: 'TypeError' })
  await t.rejects(listSockets({ processes: 1 as never }), { name: 'TypeError', message: /processes must be true or false/ })
})

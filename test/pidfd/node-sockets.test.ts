// How Node's own socket APIs show up in what knetstat reports: every line of
// docs/node-sockets.md is one case here. The sockets are made by
// test/helpers/node_sockets.mjs with the Node API named in the label.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { listSockets, type SocketEntry, type SocketOptionName, type SocketOptions } from '../../src/index.js'
import { holdSockets } from '../helpers/child.js'

interface NodeSockets {
  pid: number
  sockets: Record<string, { proto: 'tcp' | 'udp'; local: number; remote: number }>
}
const held = await holdSockets<NodeSockets>(process.execPath, [fileURLToPath(new URL('../helpers/node_sockets.mjs', import.meta.url))])
t.teardown(() => held.close())
// The pidfd source by name: as root, 'auto' would take the bpf source.
const entries = await listSockets({ processes: true, options: 'pidfd' })

function entry(label: string): SocketEntry {
  const s = held.info.sockets[label]
  if (s === undefined) throw new Error(`no socket ${label}`)
  const found = entries.filter(
    (e) => e.proto === s.proto && e.local.port === s.local && e.remote.port === s.remote && e.processes?.some((p) => p.pid === held.info.pid),
  )
  if (found.length !== 1) throw new Error(`${label}: ${found.length} entries match`)
  return found[0] as SocketEntry
}

/** Checks the given options exactly and that the named ones are absent. */
function check(label: string, expected: SocketOptions, absent: string[] = []): void {
  t.test(label, async (t) => {
    const e = entry(label)
    t.equal(e.optionsSource, 'pidfd')
    for (const [name, value] of Object.entries(expected)) t.equal(e.options?.[name as SocketOptionName], value, name)
    for (const name of absent) t.notOk(name in (e.options ?? {}), `no ${name}`)
  })
}

const KEEPALIVE_TUNING = ['TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT']
const TIMEOUTS = ['SO_RCVTIMEO', 'SO_SNDTIMEO', 'TCP_USER_TIMEOUT', 'SO_LINGER']

// net.Socket
check('net.default', { TCP_NODELAY: false, SO_KEEPALIVE: false, SO_REUSEADDR: false }, [...KEEPALIVE_TUNING, ...TIMEOUTS])
check('net.setNoDelay', { TCP_NODELAY: true })
check('net.setNoDelay.false', { TCP_NODELAY: false })
check('net.setKeepAlive.30s', { SO_KEEPALIVE: true, TCP_KEEPIDLE: 30, TCP_KEEPINTVL: 1, TCP_KEEPCNT: 10 })
check('net.setKeepAlive.default', { SO_KEEPALIVE: true }, KEEPALIVE_TUNING)
check('net.setKeepAlive.off', { SO_KEEPALIVE: false }, KEEPALIVE_TUNING)
check('net.setTimeout', { SO_KEEPALIVE: false }, TIMEOUTS)
// Accepted by a net.Server: SO_REUSEADDR inherited from the listener.
check('net.accepted', { SO_REUSEADDR: true, TCP_NODELAY: false, SO_KEEPALIVE: false }, KEEPALIVE_TUNING)

// server.listen
check('net.listen', { SO_REUSEADDR: true, SO_REUSEPORT: false, TCP_NODELAY: false, TCP_FASTOPEN: 0, TCP_DEFER_ACCEPT: 0 })
t.equal(entry('net.listen').backlog, 7, 'listen({ backlog: 7 })')
t.equal(entry('listen.dualstack').backlog, 511, "listen()'s default backlog is 511")
check('listen.v6only', { SO_REUSEADDR: true, IPV6_V6ONLY: true })
check('listen.dualstack', { SO_REUSEADDR: true, IPV6_V6ONLY: false })
check('createServer.tuned', { SO_KEEPALIVE: false, TCP_NODELAY: false }, KEEPALIVE_TUNING)
check('createServer.tuned.accepted', { TCP_NODELAY: true, SO_KEEPALIVE: true, TCP_KEEPIDLE: 20, TCP_KEEPINTVL: 1, TCP_KEEPCNT: 10 })
check('http.accepted', { TCP_NODELAY: true, SO_KEEPALIVE: false }, KEEPALIVE_TUNING)

// dgram
check('dgram.default', { SO_REUSEADDR: false, SO_BROADCAST: false }, ['SO_RCVBUF', 'SO_SNDBUF'])
check('dgram.options', { SO_REUSEADDR: true, SO_REUSEPORT: false, SO_RCVBUF: 65536, SO_SNDBUF: 32768 })
check('dgram.setBroadcast', { SO_BROADCAST: true })
check('dgram.setBufferSize', { SO_RCVBUF: 40000, SO_SNDBUF: 20000, IPV6_V6ONLY: true })
check('dgram.ipv6Only', { IPV6_V6ONLY: true })
check('dgram.udp6.any', { IPV6_V6ONLY: false })

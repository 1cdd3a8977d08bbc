// A quiet set of TCP sockets held by the test process: listeners on a few loopback
// addresses (IPv4, IPv6, dual-stack) and established pairs to each.
import { createConnection, createServer, type Server, type Socket } from 'node:net'

export interface Pair {
  family: 4 | 6
  listenAddress: string
  listenPort: number
  client: { address: string; port: number }
  server: { address: string; port: number }
}

export interface SocketSet {
  /** Every local port of the set: listeners', clients', accepted sockets'. */
  ports: Set<number>
  listeners: { address: string; port: number; family: 4 | 6 }[]
  pairs: Pair[]
  close(): Promise<void>
}

async function listen(address: string): Promise<Server> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: address, port: 0, ipv6Only: false }, resolve)
  })
  return server
}

export async function openSockets(pairsPerListener = 3, extraPairs = 0): Promise<SocketSet> {
  const servers: Server[] = []
  const sockets: Socket[] = []
  const listeners: SocketSet['listeners'] = []
  const pairs: Pair[] = []
  // [listen on, connect to, family of the accepted socket]
  const plan: [string, string, 4 | 6][] = [
    ['127.0.0.1', '127.0.0.1', 4],
    ['127.0.0.2', '127.0.0.2', 4],
    ['::1', '::1', 6],
    ['::', '127.0.0.3', 6], // dual-stack: the accepted socket is ::ffff:127.0.0.3
  ]
  for (const [listenAddress, connectTo, family] of plan) {
    const server = await listen(listenAddress)
    servers.push(server)
    server.on('connection', (s) => sockets.push(s))
    const port = (server.address() as { port: number }).port
    listeners.push({ address: listenAddress, port, family: listenAddress.includes(':') ? 6 : 4 })
    const count = pairsPerListener + (listenAddress === '127.0.0.1' ? extraPairs : 0)
    for (let i = 0; i < count; i++) {
      const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
      const client = createConnection({ host: connectTo, port })
      await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject))
      sockets.push(client)
      const a = await accepted
      pairs.push({
        family,
        listenAddress,
        listenPort: port,
        client: { address: client.localAddress as string, port: client.localPort as number },
        server: { address: a.localAddress as string, port: a.localPort as number },
      })
    }
  }
  const ports = new Set<number>([...listeners.map((l) => l.port), ...pairs.map((p) => p.client.port)])
  return {
    ports,
    listeners,
    pairs,
    async close() {
      for (const s of sockets) s.destroy()
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    },
  }
}

export const openFds = async (): Promise<number> => (await import('node:fs')).readdirSync('/proc/self/fd').length

// redis-server (Debian's redis-server package) run directly with a redis.conf in a
// temp dir, as uid 65534, and clients that PING it over raw TCP.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { findBinary, launch, type Server } from './common.js'
import { rawClient } from './client.js'

export const REDIS_SERVER = findBinary(['/usr/bin/redis-server'])
export const REDIS_MISSING = REDIS_SERVER === null ? 'redis-server is not installed (apt-get install --no-install-recommends redis-server)' : null

/**
 * healthy: `tcp-keepalive 300`, redis.conf's default ("a reasonable value for this
 * option is 300 seconds"). no-keepalive: `tcp-keepalive 0`, which turns keepalive off.
 */
export type RedisConfig = 'healthy' | 'no-keepalive'

/** `tcp-backlog` (511, redis.conf's default): listen(2)'s backlog, below net.core.somaxconn. */
export const REDIS_BACKLOG = 511

/**
 * The listener: anetTcpServer() sets SO_REUSEADDR (anetSetReuseAddr) before bind and
 * nothing else; keepalive and nodelay are per client.
 */
export const REDIS_LISTENER = { SO_REUSEADDR: true, SO_KEEPALIVE: false, TCP_NODELAY: false } as const

/**
 * An accepted client with `tcp-keepalive 300`: createClient() calls connEnableTcpNoDelay
 * (TCP_NODELAY) and connKeepAlive -> anetKeepAlive(300), which sets SO_KEEPALIVE,
 * TCP_KEEPIDLE = 300, TCP_KEEPINTVL = 300 / 3 and TCP_KEEPCNT = 3. SO_REUSEADDR is the
 * listener's, copied by the kernel to every socket it accepts.
 */
export const REDIS_ACCEPTED = {
  SO_REUSEADDR: true,
  TCP_NODELAY: true,
  SO_KEEPALIVE: true,
  TCP_KEEPIDLE: 300,
  TCP_KEEPINTVL: 100,
  TCP_KEEPCNT: 3,
} as const

/** With `tcp-keepalive 0` createClient() skips connKeepAlive: no keepalive, TCP_NODELAY still on (undefined: not set). */
export const REDIS_ACCEPTED_NO_KEEPALIVE = {
  SO_REUSEADDR: true,
  TCP_NODELAY: true,
  SO_KEEPALIVE: false,
  TCP_KEEPIDLE: undefined,
  TCP_KEEPINTVL: undefined,
  TCP_KEEPCNT: undefined,
} as const

export const REDIS_EXPECTED: Record<RedisConfig, { listener: typeof REDIS_LISTENER; accepted: Record<string, unknown> }> = {
  healthy: { listener: REDIS_LISTENER, accepted: REDIS_ACCEPTED },
  'no-keepalive': { listener: REDIS_LISTENER, accepted: REDIS_ACCEPTED_NO_KEEPALIVE },
}

export interface RedisOptions {
  config?: RedisConfig
  port?: number
}

export function startRedis(options: RedisOptions = {}): Promise<Server<RedisConfig>> {
  const config = options.config ?? 'healthy'
  if (REDIS_SERVER === null) throw new Error(REDIS_MISSING ?? '')
  return launch({
    name: 'redis',
    config,
    port: options.port,
    async prepare(dir, port) {
      const conf = join(dir, 'redis.conf')
      const lines = [
        'bind 127.0.0.1',
        `port ${port}`,
        `tcp-backlog ${REDIS_BACKLOG}`,
        `tcp-keepalive ${config === 'healthy' ? 300 : 0}`,
        // No persistence and no Unix socket: nothing to write but the log, to stdout.
        'save ""',
        'appendonly no',
        `dir ${dir}`,
        'daemonize no',
        'supervised no',
        'logfile ""',
      ]
      await writeFile(conf, lines.join('\n') + '\n')
      return [REDIS_SERVER, conf]
    },
    stopSignal: 'SIGTERM',
    handshake: (port) => rawClient(port, [{ send: 'PING\r\n', until: (r) => r.toString('latin1').endsWith('+PONG\r\n') }]),
  })
}

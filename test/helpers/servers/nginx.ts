// nginx (Debian's nginx-light or nginx) run in the foreground with an nginx.conf, pid,
// logs and temp paths in a temp dir: the master as root, its worker as nobody (the
// `user` directive, as Debian runs it as www-data), and HTTP/1.1 keep-alive clients.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { findBinary, launch, type Server } from './common.js'
import { rawClient, type Step } from './client.js'

export const NGINX = findBinary(['/usr/sbin/nginx'])
export const NGINX_MISSING = NGINX === null ? 'nginx is not installed (apt-get install --no-install-recommends nginx-light)' : null

/**
 * healthy: `listen ... backlog=128 so_keepalive=on`, `tcp_nodelay on` (its default)
 * and `keepalive_timeout 65s`. no-nodelay: the same with `tcp_nodelay off`.
 */
export type NginxConfig = 'healthy' | 'no-nodelay'

/** listen's `backlog=` parameter. */
export const NGINX_BACKLOG = 128

/**
 * The listener: ngx_open_listening_sockets() sets SO_REUSEADDR;
 * ngx_configure_listening_sockets() sets SO_KEEPALIVE for `so_keepalive=on`.
 * TCP_NODELAY is per connection.
 */
export const NGINX_LISTENER = { SO_REUSEADDR: true, SO_KEEPALIVE: true, TCP_NODELAY: false } as const

/**
 * An accepted connection once a response was sent and it is kept alive:
 * ngx_http_set_keepalive() calls ngx_tcp_nodelay() when `tcp_nodelay on`. SO_REUSEADDR
 * and SO_KEEPALIVE are the listener's, copied by the kernel (so_keepalive=on sets no
 * TCP_KEEPIDLE: the system's). Before its first response a connection has no
 * TCP_NODELAY (NGINX_ACCEPTED_NEW): a check of a busy nginx sees both.
 */
export const NGINX_ACCEPTED = {
  SO_REUSEADDR: true,
  SO_KEEPALIVE: true,
  TCP_NODELAY: true,
  TCP_KEEPIDLE: undefined,
} as const

/** An accepted connection that has not had a response yet, or any with `tcp_nodelay off`. */
export const NGINX_ACCEPTED_NEW = { ...NGINX_ACCEPTED, TCP_NODELAY: false } as const

export const NGINX_EXPECTED: Record<NginxConfig, { listener: typeof NGINX_LISTENER; accepted: Record<string, unknown> }> = {
  healthy: { listener: NGINX_LISTENER, accepted: NGINX_ACCEPTED },
  'no-nodelay': { listener: NGINX_LISTENER, accepted: NGINX_ACCEPTED_NEW },
}

export interface NginxOptions {
  config?: NginxConfig
  port?: number
  /**
   * Requests each client makes before it idles (default 2). The second response proves
   * the first one's keep-alive handling ran (the worker is single-threaded), so
   * TCP_NODELAY is set by then; with 1 the client could be listed a moment before it
   * is. 0: the connection is only accepted (see NGINX_ACCEPTED_NEW).
   */
  requests?: number
}

export function startNginx(options: NginxOptions = {}): Promise<Server<NginxConfig>> {
  const config = options.config ?? 'healthy'
  if (NGINX === null) throw new Error(NGINX_MISSING ?? '')
  const nginx = NGINX
  const request: Step = { send: 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', until: isWholeResponse }
  const steps = Array.from({ length: options.requests ?? 2 }, () => request)
  return launch({
    name: 'nginx',
    config,
    port: options.port,
    uid: 0,
    async prepare(dir, port) {
      const conf = join(dir, 'nginx.conf')
      const text = `# knetstat test server (${config})
daemon off;
master_process on;
worker_processes 1;
user nobody nogroup;
pid ${dir}/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  tcp_nodelay ${config === 'healthy' ? 'on' : 'off'};
  keepalive_timeout 65s;
  server {
    listen 127.0.0.1:${port} backlog=${NGINX_BACKLOG} so_keepalive=on;
    location / { return 200 "ok\\n"; }
  }
}
`
      await writeFile(conf, text)
      // -e: the startup error log, which nginx opens before it reads error_log.
      return [nginx, '-p', dir, '-c', conf, '-e', 'stderr']
    },
    // SIGTERM is nginx's "fast shutdown".
    stopSignal: 'SIGTERM',
    handshake: (port) => rawClient(port, steps),
  })
}

/** Whether `reply` holds a whole response: headers and a Content-Length body. */
function isWholeResponse(reply: Buffer): boolean {
  const text = reply.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return false
  if (!/^HTTP\/1\.1 200 /.test(text)) throw new Error(`not a 200 response: ${JSON.stringify(text.slice(0, end))}`)
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0)
  return text.length >= end + 4 + length
}

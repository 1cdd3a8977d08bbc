#!/usr/bin/env node
// A health endpoint and a Prometheus /metrics for a Node service, on node:http alone.
//
//   npm run build
//   node examples/health-server.mjs [--port 3000] [--host 127.0.0.1] [--watch 8080,8443]
//        [--expect TCP_NODELAY=1 ...] [--no-stalled] [--backlog 511]
//        [--count-options TCP_NODELAY,SO_KEEPALIVE] [--scope host|watched]
//
// GET /health   200 with the summary as JSON when the watched ports are healthy, 503
//               when not (a full accept queue, a broken --expect, with --no-stalled a
//               zero window or stalled ACK). The watched ports default to this
//               server's own.
// GET /metrics  the prom-client registry: Node's default metrics and knetstat's
//               (docs/metrics.md); --scope watched lists only the watched ports.
//
// In a service, import from 'knetstat' and 'knetstat/prometheus' the same way; from
// this repository the imports resolve to the built package through its "exports".
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import { checkSockets, describeSocket } from 'knetstat'
import { registerSocketMetrics } from 'knetstat/prometheus'
import { Registry, collectDefaultMetrics } from 'prom-client'

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    watch: { type: 'string' },
    expect: { type: 'string', multiple: true, default: [] },
    'no-stalled': { type: 'boolean', default: false },
    backlog: { type: 'string' },
    'count-options': { type: 'string' },
    scope: { type: 'string', default: 'host' },
  },
})

const list = (text) => (text === undefined || text === '' ? [] : text.split(','))
const server = createServer(handle)
server.listen(Number(args.port), args.host)
await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject))
const ownPort = server.address().port
/** The ports whose sockets the health check judges: a service's own listeners. */
const watched = args.watch === undefined ? [ownPort] : list(args.watch).map(Number)

// The health check: listSockets narrowed to the watched ports, then summarizeSockets.
const check = {
  port: watched,
  expect: args.expect, // NAME=value texts, e.g. TCP_NODELAY=1; options are read only when given
  noStalled: args['no-stalled'],
  // Live listings carry every listener's limit; a recording (KNETSTAT_PROC_NET) does
  // not, and a Node server listens with 511 unless told otherwise.
  ...(args.backlog === undefined ? {} : { backlog: Number(args.backlog) }),
}

// The metrics: one socket listing per scrape, whatever the number of gauges.
const registry = new Registry()
collectDefaultMetrics({ register: registry })
const knetstatMetrics = registerSocketMetrics(registry, {
  ports: watched,
  options: list(args['count-options']),
  query: args.scope === 'watched' ? { port: watched } : {},
  ...(args.backlog === undefined ? {} : { backlog: Number(args.backlog) }),
})

async function handle(req, res) {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  try {
    if (path === '/health' || path === '/healthz') {
      const result = await checkSockets(check)
      send(res, result.ok ? 200 : 503, 'application/json', JSON.stringify(healthBody(result), null, 2))
    } else if (path === '/metrics') {
      send(res, 200, registry.contentType, await registry.metrics())
    } else {
      send(res, 404, 'text/plain', 'GET /health or /metrics\n')
    }
  } catch (error) {
    // A listing that fails (e.g. EPERM) is an unhealthy check, said plainly.
    send(res, 503, 'application/json', JSON.stringify({ ok: false, problems: [`cannot list sockets: ${error.code ?? ''} ${error.message}`] }))
  }
}

/** The summary without the listing, each socket named as `proto local -> remote state`. */
function healthBody(result) {
  const { entries, ...summary } = result
  return JSON.parse(JSON.stringify(summary, (key, value) => (isSocketEntry(value) ? describeSocket(value) : value)))
}

function isSocketEntry(value) {
  return value !== null && typeof value === 'object' && 'proto' in value && 'local' in value && 'remote' in value && 'state' in value
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type })
  res.end(body)
}

const stop = () => {
  knetstatMetrics.unregister()
  server.close(() => process.exit(0))
  server.closeAllConnections()
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
console.log(`health on http://${args.host}:${ownPort}/health, metrics on /metrics, watching ports ${watched.join(', ')}`)

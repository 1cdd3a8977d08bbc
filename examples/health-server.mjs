#!/usr/bin/env node
// A health endpoint and a Prometheus /metrics for a Node service, on node:http alone.
//
//   npm run build
//   node examples/health-server.mjs [--port 3000] [--host 127.0.0.1] [--service PORT]
//        [--expect NAME=VALUE ...] [--expect-listener NAME=VALUE ...]
//        [--expect-connections NAME=VALUE ...] [--no-stalled] [--backlog N]
//        [--interval MS] [--count-options TCP_NODELAY,SO_KEEPALIVE] [--scope host|service]
//
// GET /health   200 with the check's verdict as JSON when the service is healthy; 503
//               when it fails (no listener, a full accept queue, a broken --expect,
//               with --no-stalled a zero window or stalled ACK) or cannot be known.
//               The service defaults to this server's own port. Probes are answered
//               from one listing per --interval (default 10000 ms), however many come.
// GET /metrics  the prom-client registry: Node's default metrics and knetstat's
//               (docs/metrics.md), with the same check as knetstat_check_status;
//               --scope service counts only the service's port.
//
// In a service, import from 'knetstat' and 'knetstat/prometheus' the same way; from
// this repository the imports resolve to the built package through its "exports".
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import { createHealthCheck } from 'knetstat'
import { registerSocketMetrics } from 'knetstat/prometheus'
import { Registry, collectDefaultMetrics } from 'prom-client'

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    service: { type: 'string' },
    expect: { type: 'string', multiple: true, default: [] },
    'expect-listener': { type: 'string', multiple: true, default: [] },
    'expect-connections': { type: 'string', multiple: true, default: [] },
    'no-stalled': { type: 'boolean', default: false },
    backlog: { type: 'string' },
    interval: { type: 'string', default: '10000' },
    'count-options': { type: 'string' },
    scope: { type: 'string', default: 'host' },
  },
})

const server = createServer(handle)
server.listen(Number(args.port), args.host)
await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject))
const servicePort = args.service === undefined ? server.address().port : Number(args.service)

// The check: the service's listener and the connections it accepted. Options are
// judged where servers set them (docs/health.md) and read only when expected.
const check = {
  port: servicePort,
  expect: args.expect, // NAME=value texts, e.g. TCP_NODELAY=1
  expectListener: args['expect-listener'],
  expectConnections: args['expect-connections'],
  noStalled: args['no-stalled'],
  // Live listings carry every listener's limit; a recording (KNETSTAT_PROC_NET) does
  // not, and a Node server listens with 511 unless told otherwise.
  ...(args.backlog === undefined ? {} : { backlog: Number(args.backlog) }),
}
const health = createHealthCheck(check, { intervalMs: Number(args.interval) })

// The metrics: one socket listing per scrape, whatever the number of gauges.
const registry = new Registry()
collectDefaultMetrics({ register: registry })
const counted = args['count-options'] === undefined || args['count-options'] === '' ? [] : args['count-options'].split(',')
const knetstatMetrics = registerSocketMetrics(registry, {
  ports: [servicePort],
  options: counted,
  query: args.scope === 'service' ? { localPort: servicePort } : {},
  checks: { service: check },
  ...(args.backlog === undefined ? {} : { backlog: Number(args.backlog) }),
})

async function handle(req, res) {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  if (path === '/health' || path === '/healthz') return health.handler(req, res)
  if (path === '/metrics') {
    const body = await registry.metrics()
    res.writeHead(200, { 'content-type': registry.contentType })
    return res.end(body)
  }
  res.writeHead(404, { 'content-type': 'text/plain' })
  res.end('GET /health or /metrics\n')
}

const stop = () => {
  knetstatMetrics.unregister()
  server.close(() => process.exit(0))
  server.closeAllConnections()
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
console.log(`health on http://${args.host}:${server.address().port}/health, metrics on /metrics, checking tcp port ${servicePort}`)

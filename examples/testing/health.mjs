// A service's health endpoint, written so tests can point it at a recording:
// GET /health answers 200 when the service's sockets are healthy, 503 with the
// problems when a listener's accept queue is full or a connection is stalled.
import { createServer } from 'node:http'
import { checkSockets } from 'knetstat'

/**
 * @param {{ servicePort: number, procNet?: string }} options
 *   servicePort: the port whose sockets are judged; procNet: a recording to read
 *   instead of the live host (tests), else KNETSTAT_PROC_NET or the live host.
 */
export function createHealthServer({ servicePort, procNet }) {
  return createServer(async (req, res) => {
    const result = await checkSockets({
      port: servicePort,
      noStalled: true,
      // A recording carries no accept-queue limit: this service listens with Node's 511.
      backlog: 511,
      ...(procNet === undefined ? {} : { procNet }),
    })
    res.writeHead(result.ok ? 200 : 503, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ ok: result.ok, problems: result.problems }))
  })
}

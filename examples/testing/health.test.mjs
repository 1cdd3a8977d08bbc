// The health endpoint tested against recorded socket tables: no live sockets, no
// kernel module, the same code path as production.
//
//   node --test examples/testing/health.test.mjs
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createHealthServer } from './health.mjs'

const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url))

async function getHealth(procNet) {
  const server = createHealthServer({ servicePort: 8080, procNet })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    const res = await fetch(`http://127.0.0.1:${server.address().port}/health`)
    return { status: res.status, body: await res.json() }
  } finally {
    server.close()
  }
}

test('a full accept queue and a stalled connection make the service unhealthy', async () => {
  const { status, body } = await getHealth(fixture('stalled'))
  assert.equal(status, 503)
  assert.equal(body.ok, false)
  assert.equal(body.problems.length, 2)
  assert.equal(body.problems[0], 'accept queue full: 512 waiting over a limit of 511 (given), new connections are dropped: tcp 0.0.0.0:8080 -> 0.0.0.0:* LISTEN')
  assert.match(body.problems[1], /^data is unacknowledged .* \(>#\): tcp 10\.1\.0\.7:8080 -> 10\.1\.0\.21:40112 ESTABLISHED$/)
})

test('the same service with quiet sockets is healthy', async () => {
  const { status, body } = await getHealth(fixture('healthy'))
  assert.equal(status, 200)
  assert.deepEqual(body, { ok: true, problems: [] })
})

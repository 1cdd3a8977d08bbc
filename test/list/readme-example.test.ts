// The README's first example ("In your code"), run as written against a real
// connection: its port replaced by the test server's, the import by the built package.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import { createConnection, createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/native/load.js'

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
const example = /^```ts\n([\s\S]*?)^```$/m.exec(readme)?.[1] ?? ''

t.test("the README's listing loop prints the rtt in ms", async (t) => {
  // Its import and the listing with its loop, up to the loop's closing brace.
  const loop = /^import .*\n\n(const sockets = [\s\S]*?\n\}\n)/.exec(example)
  t.ok(loop, 'the example opens with the import and the listing loop')
  if (loop === null) return
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const client = createConnection(port, '127.0.0.1')
  await once(client, 'connect')
  t.teardown(() => {
    client.destroy()
    server.close()
  })
  t.match(loop[1], 'localPort: 5432', 'the documented port')
  const built = pathToFileURL(join(PACKAGE_ROOT, 'dist/index.js')).href
  const code = `import { listSockets } from '${built}'\n${(loop[1] as string).replace('localPort: 5432', `localPort: ${port}`)}`
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' })
  t.equal(run.status, 0, run.stderr)
  t.match(run.stdout, /^127\.0\.0\.1 \d+ 0 0 \{.*\} rtt \d+(\.\d+)? ms$/ms, 'the accepted connection, its rtt in ms')
})

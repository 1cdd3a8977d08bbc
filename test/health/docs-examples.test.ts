// The health examples of the README and docs/health.md, run as written (a documented
// port replaced by the port of the test's server): the README's check against a real
// PostgreSQL, healthy, idle and stopped; the Node /health example as a service; the
// Kubernetes exec probe's command against that service.
import { spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readyLine } from '../helpers/child.js'
import { knetstat } from '../helpers/cli.js'
import { freePort } from '../helpers/servers/common.js'
import { POSTGRES_MISSING, startPostgres } from '../helpers/servers/postgres.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const healthDoc = readFileSync(join(root, 'docs/health.md'), 'utf8')

/** The fenced blocks of a markdown text in `lang`. */
function blocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1] as string)
}

/** A `knetstat check …` line of a doc as arguments, with its port replaced. */
function checkLine(text: string, port: number): string[] {
  const line = text.split('\n').find((l) => /^(npx )?knetstat check /.test(l))
  if (line === undefined) throw new Error('no knetstat check line')
  const args = line.replace(/^npx /, '').split(/\s+/).slice(1)
  const at = args.indexOf('--port')
  args[at + 1] = String(port)
  return args
}

t.test("the README's check passes a healthy PostgreSQL and fails a stopped one", { skip: POSTGRES_MISSING ?? false }, async (t) => {
  const readmeCheck = blocks(readme, 'sh').find((b) => b.includes('knetstat check')) as string
  t.ok(readmeCheck, 'the README has a check example')
  t.same(checkLine(readmeCheck, 1), checkLine(blocks(healthDoc, 'sh')[0] as string, 1), 'docs/health.md opens with the same command')
  const pg = await startPostgres({ config: 'healthy' })
  t.teardown(() => pg.stop())
  const idle = knetstat(checkLine(readmeCheck, pg.port))
  t.equal(idle.status, 0, `idle: ${idle.stdout}`)
  await pg.connect(2)
  const busy = knetstat(checkLine(readmeCheck, pg.port))
  t.equal(busy.status, 0, `with connections: ${busy.stdout}`)
  t.match(busy.stdout, /^knetstat check: ok: tcp service on port \d+: 1 listener, 2 connections \(2 judged\); TCP_NODELAY=1 on connections, SO_KEEPALIVE=1 on connections, accept queues not full, nothing stalled\n$/)
  await pg.stop()
  const stopped = knetstat(checkLine(readmeCheck, pg.port))
  t.equal(stopped.status, 1, 'nothing listens: fail')
  t.match(stopped.stdout, /no listener: nothing serves the tcp service on port/)
})

t.test("docs/health.md's Node service answers /health, and its exec probe passes it", async (t) => {
  const [code] = blocks(healthDoc, 'js')
  t.ok(code?.includes('createHealthCheck'), 'the Node example')
  // Inside the package, so that `import 'knetstat'` resolves to it (a self-reference).
  const file = join(root, `test/.docs-example-${process.pid}.mjs`)
  writeFileSync(file, code as string)
  t.teardown(() => rmSync(file, { force: true }))
  const port = await freePort()
  const child = spawn(process.execPath, [file], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  t.teardown(async () => {
    child.kill('SIGTERM')
    await exited
  })
  t.equal(await readyLine(child, 'the docs example'), `listening on ${port}`)

  // A client connection the service sets TCP_NODELAY and SO_KEEPALIVE on.
  const hello = await fetch(`http://127.0.0.1:${port}/`)
  t.equal(await hello.text(), 'hello\n')
  const health = await fetch(`http://127.0.0.1:${port}/health`)
  const body = (await health.json()) as { status: string; judged: number; problems: string[] }
  t.equal(health.status, 200, body.problems.join('\n'))
  t.equal(body.status, 'ok')
  t.ok(body.judged >= 1, 'its connections judged')

  const yaml = blocks(healthDoc, 'yaml')[0] as string
  const command = JSON.parse(/command: (\[.*\])/.exec(yaml)?.[1] ?? '[]') as string[]
  t.equal(command[0], 'knetstat')
  const probe = knetstat(checkLine(command.join(' '), port))
  t.equal(probe.status, 0, `the exec probe passes: ${probe.stdout}${probe.stderr}`)
  const dead = knetstat(checkLine(command.join(' '), await freePort()))
  t.equal(dead.status, 1, 'and fails where nothing listens')
})

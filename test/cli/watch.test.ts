// --watch in a real pseudo-terminal (tmux): the screen is redrawn in place, and new,
// gone and changed sockets are marked across refreshes. On a terminal it shows the
// table (test/cli/table.test.ts checks its fit to the window).
import { execFileSync, spawnSync } from 'node:child_process'
import { createServer, connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { MAIN } from '../helpers/cli.js'

const session = `knetstat-watch-${process.pid}`
const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' })

/** The visible screen of the tmux pane. */
const screen = (): string => tmux('capture-pane', '-p', '-t', session)

async function waitFor(what: string, test: (s: string) => boolean, seconds = 20): Promise<string> {
  const deadline = Date.now() + seconds * 1000
  let s = ''
  while (Date.now() < deadline) {
    s = screen()
    if (test(s)) return s
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${s}`)
}

t.test('--watch redraws and marks new and gone sockets', async (t) => {
  if (spawnSync('tmux', ['-V']).status !== 0) {
    t.fail('tmux is needed for this test (apt-get install tmux)')
    return
  }
  const server = createServer(() => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  t.teardown(() => {
    spawnSync('tmux', ['kill-session', '-t', session])
    server.close()
  })
  tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', 'env', 'NO_COLOR=1', process.execPath, MAIN, '--watch', '0.3', '-t4', '--port', String(port), '--no-options')

  const first = await waitFor('the first frame', (s) => s.includes('knetstat --watch 0.3s') && s.includes(`127.0.0.1:${port} `))
  t.match(first, /knetstat --watch 0\.3s .* \+0 new {2}-0 gone {2}~0 changed/, 'the title line')
  t.match(first, new RegExp(`^ {2}tcp +0 +511 127\\.0\\.0\\.1:${port} +0\\.0\\.0\\.0:\\* +LISTEN$`, 'm'), 'the listener, unmarked, with its backlog (511: Node\'s)')

  const client: Socket = connect(port, '127.0.0.1')
  await new Promise((resolve) => client.once('connect', resolve))
  const second = await waitFor('the new connection', (s) => /\+2 new/.test(s))
  t.match(second, new RegExp(`^\\+ tcp +0 +0 127\\.0\\.0\\.1:\\d+ +127\\.0\\.0\\.1:${port} +ESTAB$`, 'm'), 'the client side marked +')
  t.match(second, new RegExp(`^\\+ tcp +0 +0 127\\.0\\.0\\.1:${port} +127\\.0\\.0\\.1:\\d+ +ESTAB$`, 'm'), 'the server side marked +')
  t.equal(second.match(/knetstat --watch/g)?.length, 1, 'redrawn in place: one frame on the screen')

  const settled = await waitFor('a quiet refresh', (s) => /\+0 new {2}-0 gone {2}~0 changed/.test(s) && s.includes(' ESTAB'))
  t.notMatch(settled, /^\+ /m, 'marks last one refresh')

  client.destroy()
  const third = await waitFor('the closed connection', (s) => /-\d+ gone|~\d+ changed/.test(s) && !/-0 gone {2}~0 changed/.test(s))
  t.match(third, /^[-~] /m, 'the closed connection is marked gone or changed')
})

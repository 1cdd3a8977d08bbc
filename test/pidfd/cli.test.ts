// The knetstat command prints options read through pidfd and, with -p, the processes.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { TS_LOADER } from '../helpers/child.js'
import { holdOptions, socketOf } from '../helpers/sockopt-holder.js'

const run = promisify(execFile)
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const knetstat = (...args: string[]) => run(process.execPath, ['--import', TS_LOADER, CLI, ...args], { maxBuffer: 256 << 20 })

const held = await holdOptions('options')
t.teardown(() => held.close())
const port = socketOf(held.info, 'tcp4.listen').port
const line = (text: string) => text.split('\n').find((l) => l.includes(`127.0.0.1:${port} `) && l.includes('LSTN'))

t.test('options on the line, as the module prints them', async (t) => {
  const { stdout } = await knetstat()
  t.match(line(stdout), /LSTN {6}SO_REUSEADDR=1,SO_REUSEPORT=1,SO_KEEPALIVE=1,TCP_KEEPIDLE=77,.*TCP_CONGESTION=reno/)
  t.notMatch(line(stdout), /users:/)
})

t.test('-p appends the holders', async (t) => {
  const { stdout } = await knetstat('-p')
  const fd = socketOf(held.info, 'tcp4.listen').fd
  t.match(line(stdout), new RegExp(`TCP_NOTSENT_LOWAT=16384 users:\\(\\("python3",pid=${held.info.pid},fd=${fd}\\)\\)$`))
})

t.test('--no-options reads none', async (t) => {
  const { stdout } = await knetstat('--no-options')
  t.match(line(stdout), /LSTN$/)
})

// checkSockets judges a service (its listeners and the connections they accepted) or
// outgoing connections. Every case runs through the library, `knetstat check --json`
// and the collector's check_status, which must agree (checkThreeWays), over real
// sockets held by a Python process and over the recorded text fixtures.
import { fileURLToPath } from 'node:url'
import { Registry } from 'prom-client'
import t from 'tap'
import { checkSockets, type SocketCheck } from '../../src/index.js'
import { registerSocketMetrics } from '../../src/prometheus.js'
import { holdSockets } from '../helpers/child.js'
import { knetstat } from '../helpers/cli.js'
import { agreed, checkArgv, checkThreeWays } from '../helpers/check-three-ways.js'
import { TEXT_FIXTURES, textFixture } from '../helpers/knetstat-text.js'
import { NOBODY } from '../helpers/nobody.js'

type Label = 'tuned' | 'idle' | 'untuned' | 'mixed' | 'full' | 'upstream' | 'window' | 'udp' | 'closed'
const held = await holdSockets<{ ports: Record<Label, number> }>('python3', [fileURLToPath(new URL('../helpers/service_sockets.py', import.meta.url))])
t.teardown(() => held.close())
const { ports } = held.info
const SERVER_OPTIONS = ['TCP_NODELAY=1', 'SO_KEEPALIVE=1', 'TCP_KEEPIDLE=60', 'SO_REUSEADDR=1']

async function verdict(t: { ok: (v: unknown, m: string) => void }, check: SocketCheck): Promise<Awaited<ReturnType<typeof checkThreeWays>>> {
  const three = await checkThreeWays(check)
  t.ok(agreed(three), `library, command and collector agree: ${three.library.status}`)
  return three
}

t.test('a healthy service: options on its accepted connections, SO_REUSEADDR on its listener', async (t) => {
  const { library } = await verdict(t, { port: ports.tuned, expect: SERVER_OPTIONS })
  t.equal(library.status, 'ok', [...library.problems, ...library.unknowns].join('\n'))
  t.equal(library.listeners.length, 1)
  t.equal(library.connections.length, 3, 'two accepted, one waiting in the accept queue')
  t.equal(library.judged, 2, 'the waiting one is not judged: the server had no chance to set anything')
  t.ok(library.connections.every((e) => e.local.port === ports.tuned), "the host's own clients of the service are not its connections")
  t.same(
    library.expectations.map((e) => `${e.option}:${e.role}`),
    ['TCP_NODELAY:connections', 'SO_KEEPALIVE:connections', 'TCP_KEEPIDLE:connections', 'SO_REUSEADDR:listener'],
    'each option judged in its default role',
  )
})

t.test('an idle service passes; a service with no listener fails', async (t) => {
  const idle = await verdict(t, { port: ports.idle, expect: SERVER_OPTIONS })
  t.equal(idle.library.status, 'ok')
  t.equal(idle.library.connections.length, 0)
  const closed = await verdict(t, { port: ports.closed, expect: ['TCP_NODELAY=1'], noStalled: true })
  t.equal(closed.library.status, 'fail', 'nothing listens: not healthy')
  t.match(closed.library.problems, [/^no listener: nothing serves the tcp service on port \d+$/])
  t.equal(closed.command.status, 1)
})

t.test('a connection without the options fails, naming it and what it has', async (t) => {
  const { library, command } = await verdict(t, { port: ports.untuned, expect: ['TCP_NODELAY=1'] })
  t.equal(library.status, 'fail')
  const finding = library.findings[0]
  t.match(finding, { status: 'fail', check: 'expectation', option: 'TCP_NODELAY', role: 'connections', expected: true, actual: false })
  t.equal(finding?.entries.length, 1)
  t.match(command.json.findings[0], { option: 'TCP_NODELAY', expected: '1', actual: '0', count: 1, sockets: [new RegExp(`^tcp 127\\.0\\.0\\.1:${ports.untuned} -> 127\\.0\\.0\\.1:\\d+ ESTABLISHED$`)] })
  const mixed = await verdict(t, { port: ports.mixed, expect: ['TCP_NODELAY=1', 'SO_KEEPALIVE=1'] })
  t.equal(mixed.library.findings.filter((f) => f.status === 'fail').length, 2, 'one finding per broken option')
  t.ok(mixed.library.findings.every((f) => f.entries.length === 1), 'on the one untuned connection')
})

t.test('roles can be given explicitly', async (t) => {
  const onListener = await verdict(t, { port: ports.tuned, expectListener: ['TCP_NODELAY=1'] })
  t.equal(onListener.library.status, 'fail', 'the listener itself has no TCP_NODELAY')
  t.match(onListener.library.problems, [/^TCP_NODELAY=1 expected on the listener: has TCP_NODELAY=0/])
  const onConnections = await verdict(t, { port: ports.tuned, expectConnections: ['SO_KEEPALIVE=1'] })
  t.equal(onConnections.library.status, 'ok')
})

t.test('a full accept queue fails', async (t) => {
  const { library } = await verdict(t, { port: ports.full })
  t.equal(library.status, 'fail')
  t.match(library.problems, [/^accept queue full: \d+ waiting over a limit of 1, new connections are dropped/])
})

t.test('outgoing connections are their own target', async (t) => {
  const ok = await verdict(t, { remotePort: ports.upstream, expect: ['SO_KEEPALIVE=1', 'TCP_KEEPIDLE=30'] })
  t.equal(ok.library.status, 'ok', ok.library.problems.join('\n'))
  t.equal(ok.library.connections.length, 2, 'the two clients, not the accepted side')
  t.same(ok.library.listeners, [])
  const bad = await verdict(t, { remotePort: ports.tuned, expect: ['SO_KEEPALIVE=1'] })
  t.equal(bad.library.status, 'fail', "the tuned service's clients set nothing")
})

t.test('a stalled connection is a warning, and with noStalled a failure', async (t) => {
  // The flags appear as the buffers fill: wait for the writer's.
  for (let i = 0; i < 100; i++) {
    const r = await checkSockets({ remotePort: ports.window })
    if (r.warnings.length > 0) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const lenient = await verdict(t, { remotePort: ports.window })
  t.equal(lenient.library.status, 'ok')
  t.match(lenient.library.warnings, [/^the peer advertises a zero window: nothing can be sent \(>\|\): tcp 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ ESTABLISHED$/])
  const strict = await verdict(t, { remotePort: ports.window, noStalled: true })
  t.equal(strict.library.status, 'fail')
  t.match(strict.library.findings[0], { status: 'fail', check: 'stalled' })
})

t.test('a UDP service is judged on its bound socket', async (t) => {
  const { library } = await verdict(t, { port: ports.udp, proto: 'udp', expect: ['SO_BROADCAST=1', 'SO_RCVBUF=65536'] })
  t.equal(library.status, 'ok', [...library.problems, ...library.unknowns].join('\n'))
  t.same(library.expectations.map((e) => e.role), ['listener', 'listener'])
})

t.test('what a source cannot decide is unknown (exit 3), never ok', async (t) => {
  const { library, command } = await verdict(t, { port: ports.tuned, options: 'pidfd', expectConnections: ['SO_RCVBUF=1000'] })
  t.equal(library.status, 'unknown')
  t.equal(command.status, 3)
  t.match(library.unknowns, [/SO_RCVBUF=1000 expected on connections: the pidfd source cannot tell whether SO_RCVBUF was set \(autotuned.*to know, run the check as root \(the bpf source decides it\)/])
  t.same(library.problems, [])
})

t.test("another user's service: options unreadable are unknown, not a failure", async (t) => {
  const r = knetstat(checkArgv({ port: ports.tuned, options: 'pidfd', expect: ['TCP_NODELAY=1'] }), { asUser: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] })
  t.equal(r.status, 3, r.stdout + r.stderr)
  const json = JSON.parse(r.stdout) as { status: string; unknowns: string[] }
  t.equal(json.status, 'unknown')
  t.match(json.unknowns[0], /its options could not be read \(EPERM\).*to know, run the check as root or as the service's user/)
})

t.test('a recording: its listeners carry no backlog, so the queue is unknown until given', async (t) => {
  const unknown = await verdict(t, { port: 8080, procNet: TEXT_FIXTURES })
  t.equal(unknown.library.status, 'unknown')
  t.match(unknown.library.unknowns, [/whether the accept queue is full cannot be told: 3 waiting.*to know, give the service's listen\(\) backlog: --backlog N/])
  t.equal((await verdict(t, { port: 8080, procNet: TEXT_FIXTURES, backlog: 511 })).library.status, 'ok')
  t.equal((await verdict(t, { port: 8080, procNet: TEXT_FIXTURES, backlog: 2 })).library.status, 'fail', '3 waiting over 2')
  const ssh = await verdict(t, { port: 22, procNet: TEXT_FIXTURES, expect: ['TCP_NODELAY=1'] })
  t.equal(ssh.library.status, 'ok', 'an empty queue is not full, whatever its limit')
  const noListener = await verdict(t, { port: 40000, procNet: TEXT_FIXTURES })
  t.equal(noListener.library.status, 'fail', 'connections on port 40000 but no listener in the recording')
})

t.test('an option an older module does not print is unknown, not "not set"', async (t) => {
  const old = { tcpstat: textFixture('tcpstat.old-module') }
  const r = await checkSockets({ port: 22, procNet: old, expectListener: ['SO_REUSEPORT=0', 'SO_REUSEADDR=1'] })
  t.equal(r.status, 'unknown')
  t.match(r.unknowns, [/^SO_REUSEPORT=0 expected on the listener: the module source did not report SO_REUSEPORT \(an older module\?\)/])
  const broken = await checkSockets({ port: 22, procNet: old, expectListener: ['SO_REUSEPORT=0', 'TCP_NODELAY=1'] })
  t.equal(broken.status, 'fail', 'a known failure outweighs an unknown')
  t.equal(broken.unknowns.length, 1)
  const missing = await checkSockets({ port: 22, procNet: old, expectConnections: ['SO_LINGER=5s', 'TCP_KEEPIDLE=60'] })
  t.same(missing.problems, [
    'SO_LINGER=5s expected on connections: SO_LINGER is not set: tcp 192.168.1.18:22 -> 192.168.1.6:49537 ESTABLISHED',
    'TCP_KEEPIDLE=60 expected on connections: TCP_KEEPIDLE is not set: tcp 192.168.1.18:22 -> 192.168.1.6:49537 ESTABLISHED',
  ], 'options reported only while set: absent is "not set"')
})

t.test('typos and ill-typed values are usage errors in all three', async (t) => {
  const cases: [SocketCheck, RegExp][] = [
    [{ port: ports.tuned, expect: ['TCP_NODLAY=1'] }, /unknown socket option "TCP_NODLAY" \(did you mean TCP_NODELAY\?\)/],
    [{ port: ports.tuned, expect: ['TCP_NODELAY=yes'] }, /TCP_NODELAY takes 0 or 1/],
    [{ port: ports.tuned, expectListener: ['SO_REUSEADR=1'] }, /did you mean SO_REUSEADDR\?/],
  ]
  for (const [check, message] of cases) {
    await t.rejects(checkSockets(check), { name: 'TypeError', message }, `library: ${String(check.expect ?? check.expectListener)}`)
    t.throws(() => registerSocketMetrics(new Registry(), { checks: { it: check } }), { name: 'TypeError', message }, 'collector')
    const r = knetstat(checkArgv(check))
    t.equal(r.status, 2, 'command: a usage error')
    t.match(r.stderr, message)
  }
  await t.rejects(checkSockets({ port: ports.tuned, expect: { TCP_NODELAY: 1 } as never }), { name: 'TypeError', message: /expect\.TCP_NODELAY must be true or false, got 1/ })
  await t.rejects(checkSockets({ port: ports.tuned, expect: { TCP_NODLAY: true } as never }), { message: /did you mean TCP_NODELAY/ })
  await t.rejects(checkSockets({ prot: 8080 } as never), { name: 'TypeError', message: /unknown field "prot" \(did you mean port or proto\?\)/ })
  await t.rejects(checkSockets({} as never), { name: 'TypeError', message: /give the service's local port \(port: 8080\) or, for outgoing connections, their remote port/ })
  t.equal(knetstat(['check', '--expect', 'TCP_NODELAY=1']).status, 2, 'the command needs a target too')
  t.equal(knetstat(['check', '--port', '80-90', '--expect', 'TCP_NODELAY=1']).status, 2, 'one port')
})

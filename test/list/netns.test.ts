// Listings of other network namespaces, with real namespaces (`ip netns`, `unshare`),
// real sockets set up in them, and each source reading there.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { checkResultJson, checkSockets, listSockets, streamSockets, type NetnsError, type SocketEntry } from '../../src/index.js'
import { loadBinding } from '../../src/native/load.js'
import { holdSockets, TS_LOADER, type Held } from '../helpers/child.js'
import { NOBODY, runAsNobody } from '../helpers/nobody.js'

const HOLDER = fileURLToPath(new URL('../helpers/netns_sockets.py', import.meta.url))
const LISTER = fileURLToPath(new URL('../helpers/programs/netns-lister.ts', import.meta.url))

interface NsHeld {
  pid: number
  netns: number
  bound: boolean
  listener: number
  client: number
  accepted: number
  udp: number
}

const root = process.getuid?.() === 0
const name = `knetstat-test-${process.pid}`
const ownInode = statSync('/proc/self/ns/net').ino

/** A host socket whose port the namespace's listener reuses: a listing of one must not show the other. */
async function holdHostPort(): Promise<Held<{ port: number; inode: number }>> {
  const code = [
    'import os, socket, json, sys',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)',
    'print(json.dumps({"port": s.getsockname()[1], "inode": os.fstat(s.fileno()).st_ino}), flush=True)',
    'sys.stdin.read()',
  ].join('\n')
  return holdSockets('python3', ['-c', code])
}

t.test('a named network namespace, by name, path and pid', { skip: root ? false : 'needs root (ip netns add)' }, async (t) => {
  const host = await holdHostPort()
  t.teardown(() => host.close())
  const port = host.info.port
  if (spawnSync('ip', ['netns', 'add', name]).status !== 0) throw new Error(`ip netns add ${name} failed`)
  t.teardown(() => void spawnSync('ip', ['netns', 'del', name]))
  // The namespace's keepalive default differs from the host's: TCP_KEEPIDLE equal to it is undecidable there only.
  spawnSync('ip', ['netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv4.tcp_keepalive_time=1234'])
  const held = await holdSockets<NsHeld>('ip', ['netns', 'exec', name, 'python3', HOLDER, String(port), '1234'])
  t.teardown(() => held.close())
  const ns = held.info
  t.not(ns.netns, ownInode, 'the holder runs in another namespace')
  const mine = new Set([ns.listener, ns.client, ns.accepted, ns.udp])

  for (const netns of [name, `/run/netns/${name}`, ns.pid]) {
    const entries = await listSockets({ netns, port, processes: true })
    t.same(new Set(entries.map((e) => e.inode)), mine, `${JSON.stringify(netns)}: the namespace's sockets on the port, not the host's`)
    for (const e of entries) {
      t.same(e.netns, { inode: ns.netns, name }, 'each entry says its namespace, and its name however it was given')
      t.same(e.processes?.map((p) => p.pid), [ns.pid], 'held by the holder, found by host pid')
    }
  }
  t.same(
    (await listSockets({ port })).map((e) => e.inode),
    [host.info.inode],
    'a listing without netns is of the caller namespace',
  )
  t.equal((await listSockets({ port }))[0]?.netns, undefined, 'and says no namespace')

  for (const options of ['bpf', 'pidfd'] as const) {
    const entries = await listSockets({ netns: name, port, options })
    const listener = entries.find((e) => e.inode === ns.listener) as SocketEntry
    const client = entries.find((e) => e.inode === ns.client) as SocketEntry
    t.equal(listener.optionsSource, options, `${options}: read there`)
    t.equal(listener.options?.SO_KEEPALIVE, true, `${options}: SO_KEEPALIVE of the listener`)
    t.equal(listener.options?.SO_BINDTODEVICE, 'lo', `${options}: the device named as the namespace names it`)
    t.equal(client.options?.TCP_NODELAY, true, `${options}: TCP_NODELAY of the client`)
    if (options === 'bpf') t.equal(listener.options?.TCP_KEEPIDLE, 1234, 'bpf reads the field itself')
    else t.equal(listener.optionsUndecidable?.TCP_KEEPIDLE, 'equals-default', "pidfd compares with the namespace's own default (1234), not the host's")
  }

  // A service check in the namespace: its listener found there, its options judged there.
  const checked = await checkSockets({ netns: name, port, proto: 'tcp', expect: ['SO_KEEPALIVE=1'] })
  t.equal(checked.status, 'ok', `checkSockets in the namespace: ${JSON.stringify(checked.findings.map((f) => f.message))}`)
  t.same(checked.listeners.map((e) => e.inode), [ns.listener], "the namespace's listener, not the host's on the same port")
  // pidfd cannot tell TCP_KEEPIDLE=1234 set from unset there (the namespace's default), but
  // either way 1234 is in effect: an expected 60 fails with the namespace's 1234, not the host's.
  const keepidle = checkResultJson(await checkSockets({ netns: name, port, proto: 'tcp', options: 'pidfd', expect: ['TCP_KEEPIDLE=60'] }))
  t.equal(keepidle.status, 'fail')
  t.same(keepidle.findings.map((f) => f.actual), ['1234'], "the value in effect is the namespace's default")

  const streamed: SocketEntry[] = []
  for await (const e of streamSockets({ netns: name, port, options: 'bpf' })) streamed.push(e)
  t.same(new Set(streamed.map((e) => e.inode)), mine, 'streamSockets lists the namespace too')
  t.ok(streamed.every((e) => e.optionsSource === 'bpf' && e.netns?.inode === ns.netns), 'with options, each saying its namespace')

  const errors: NetnsError[] = []
  const all = await listSockets({ netns: 'all', port, onNetnsError: (e) => errors.push(e) })
  // (A process root may not look into, such as a sandbox's init, is reported as 'permission'.)
  t.same(errors.filter((e) => e.reason !== 'permission'), [], 'as root every namespace found can be entered and listed')
  const byInode = new Map(all.map((e) => [e.inode, e]))
  t.equal(byInode.size, all.length, "'all' lists each socket once")
  for (const inode of mine) t.same(byInode.get(inode)?.netns, { inode: ns.netns, name }, "'all': the namespace's sockets, named")
  t.same(byInode.get(host.info.inode)?.netns?.inode, ownInode, "'all': the caller's own too")
})

t.test('a namespace the caller owns through an unprivileged user namespace', async (t) => {
  const held = await holdSockets<NsHeld>('unshare', ['--user', '--map-root-user', '--net', 'python3', HOLDER, '7070', '77'], { uid: NOBODY, gid: NOBODY })
  t.teardown(() => held.close())
  const run = async (query: object) => {
    const out = await runAsNobody([process.execPath, '--import', TS_LOADER, LISTER], { env: { KNETSTAT_QUERY: JSON.stringify(query) } })
    t.equal(out.code, 0, `the lister exits cleanly ${out.stderr}`)
    return JSON.parse(out.stdout) as { listed: { inode: number; netns: { inode: number }; optionsSource: string | null; options: Record<string, unknown> | null }[]; errors: { reason: string; inode: number | null }[] }
  }
  const one = await run({ netns: held.info.pid })
  t.same(new Set(one.listed.map((e) => e.inode)), new Set([held.info.listener, held.info.client, held.info.accepted, held.info.udp]), 'uid 65534 lists the namespace it owns')
  const listener = one.listed.find((e) => e.inode === held.info.listener)
  t.equal(listener?.optionsSource, 'pidfd', 'with options from its own process')
  t.equal(listener?.options?.SO_KEEPALIVE, true, 'SO_KEEPALIVE read there')

  const all = await run({ netns: 'all' })
  t.ok(all.listed.some((e) => e.inode === held.info.listener), "'all' as uid 65534 includes its own user namespace's network namespace")
  t.ok(all.listed.some((e) => e.netns.inode === ownInode), 'and the caller namespace')
  if (root && readdirSync('/run/netns', { withFileTypes: true }).length > 0) {
    t.ok(all.errors.some((e) => e.reason === 'cannot-enter'), "root's namespaces are reported (setns refused), not fatal")
    t.ok(all.errors.every((e) => e.reason === 'cannot-enter' || e.reason === 'permission'), 'and nothing else fails')
  }
})

t.test('namespaces that cannot be listed say why', async (t) => {
  const code = 'ERR_KNETSTAT_NETNS'
  await t.rejects(listSockets({ netns: 'knetstat-no-such-namespace' }), { name: 'NetnsError', code, reason: 'no-such-name', message: /ip netns list/ })
  await t.rejects(listSockets({ netns: '/etc/hostname' }), { name: 'NetnsError', code, reason: 'not-a-namespace' })
  await t.rejects(listSockets({ netns: 0x3ffffff0 }), { name: 'NetnsError', code, reason: 'no-such-process', message: /no process/ })
  await t.rejects(listSockets({ netns: '/proc/self/ns/uts' }), { name: 'NetnsError', code, reason: 'not-a-network-namespace' })
  await t.rejects(listSockets({ netns: -1 }), { name: 'TypeError', message: /netns -1 is not a network namespace/ })
  await t.rejects(listSockets({ netns: '' }), { name: 'TypeError' })
  await t.rejects(checkSockets({ netns: 'all', port: 1 }), { name: 'TypeError', message: /not a check's target/ })
  await t.rejects(listSockets({ netns: {} as unknown as string }), { name: 'TypeError' })
  await t.rejects(listSockets({ netns: 'all', onNetnsError: 1 as unknown as () => void }), { name: 'TypeError', message: /onNetnsError must be a function/ })
  await t.rejects(listSockets({ netns: 'x', procNet: '/tmp' }), { name: 'TypeError', message: /give one of them/ })
})

t.test('listings of another namespace leave no descriptor open', { skip: root ? false : 'needs root (ip netns add)' }, async (t) => {
  const other = `${name}-fds`
  if (spawnSync('ip', ['netns', 'add', other]).status !== 0) throw new Error(`ip netns add ${other} failed`)
  t.teardown(() => void spawnSync('ip', ['netns', 'del', other]))
  const listAll = async () => {
    for (const options of ['bpf', 'pidfd', 'auto', false] as const) {
      await listSockets({ netns: other, options })
      for await (const _ of streamSockets({ netns: other, options: options === 'auto' ? 'bpf' : options })) void _
    }
  }
  // Once first: what a first listing opens for good (the addon, the BPF programs) is not a leak.
  await listAll()
  const before = readdirSync('/proc/self/fd').length
  for (let i = 0; i < 20; i++) await listAll()
  t.ok(readdirSync('/proc/self/fd').length <= before, 'no more descriptors open after 160 listings than after one')
})

t.test('openInNetns refuses what is not a namespace descriptor and a list of paths', async (t) => {
  const binding = loadBinding()
  t.throws(() => binding.openInNetns(-1, []), { code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => binding.openInNetns(0.5, []), { code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => binding.openInNetns(0, 'x' as unknown as string[]), { code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => binding.openInNetns(0, ['a\0b']), { code: 'ERR_INVALID_ARG_TYPE' })
  t.throws(() => binding.openInNetns(0, new Array(65).fill('/x')), { code: 'ERR_OUT_OF_RANGE' })
  t.throws(() => binding.openInNetns(2147483647, []), { code: 'EBADF', syscall: 'fcntl' })
})

// The library on the module, in the guest (run by knode.sh from /pkg, the built
// package, in a network namespace holding only kholder's sockets, ports 7101-7190):
//
//   node knode.mjs root   as root: for every option the module reports, pidfd reports
//                         the same value or names it undecidable (optionsUndecidable:
//                         a connection's buffers, a buffer set to exactly the kernel's
//                         default), and has none for the children waiting in an accept
//                         queue, which have no file; the zero-window pair's diag flags
//                         agree with tcp_info; 'auto' picks the module; `knetstat
//                         --source module` prints the module's files byte for byte. The
//                         bpf source (`options: 'bpf'`, socket iterators) has, socket by
//                         socket (joined by cookie), exactly the module's options, its
//                         extras agree with pidfd's, and it reads the un-accepted
//                         children that pidfd cannot.
//   node knode.mjs user   as an unprivileged user: the other user's listener (7190,
//                         uid 65534) and root's sockets have options from neither the
//                         module nor pidfd; a listener of its own (7191) has them from
//                         the module.
//
// Prints "KTEST ok NAME" / "KTEST not ok NAME: WHY" and "KTEST-COUNT PASS FAIL" as
// ktest does; exits 0 when it ran to the end (failures are in the counts).
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { listSockets } from './dist/index.js'

const role = process.argv[2]
let pass = 0
let fail = 0
function result(ok, name, why) {
  if (ok) {
    pass++
    console.log(`KTEST ok ${name}`)
  } else {
    fail++
    console.log(`KTEST not ok ${name}: ${why}`)
  }
}
const ours = (e) => (e.local.port >= 7101 && e.local.port <= 7190) || (e.remote.port >= 7101 && e.remote.port <= 7190)
// Stable check names: ephemeral ports (outside kholder's range) print as "eph".
const port = (p) => (p >= 7101 && p <= 7190) || p === 0 ? p : 'eph'
const label = (e) => `${e.proto}${e.family}-${e.state}-${e.local.address}:${port(e.local.port)}-${e.remote.address}:${port(e.remote.port)}`
const show = (v) => JSON.stringify(v)

// The options the module prints (docs/options.md, "The module's set"); any other key a
// source reports is an extra.
const MODULE_KEYS = new Set([
  'SO_REUSEADDR', 'SO_REUSEPORT', 'SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_KEEPCNT', 'TCP_KEEPINTVL',
  'TCP_USER_TIMEOUT', 'SO_RCVBUF', 'SO_SNDBUF', 'SO_RCVTIMEO', 'SO_SNDTIMEO', 'SO_LINGER',
  'TCP_NODELAY', 'TCP_FASTOPEN', 'TCP_DEFER_ACCEPT', 'SO_BROADCAST',
])
const tuple = (e) => `${e.proto}${e.family}-${e.state}-${e.local.address}:${e.local.port}-${e.remote.address}:${e.remote.port}`
// Finds, for an entry of one listing, the same socket in another: by the netlink cookie
// when the entries carry it, else by inode, else (a socket without a file and without a
// cookie) by the 5-tuple and state, the k-th asked for the k-th listed.
function joiner(list) {
  const byCookie = new Map()
  const byInode = new Map()
  const byTuple = new Map()
  for (const e of list) {
    if (e.netlink?.cookie !== undefined) byCookie.set(e.netlink.cookie, e)
    if (e.inode) byInode.set(e.inode, e)
    const k = tuple(e)
    byTuple.set(k, [...(byTuple.get(k) ?? []), e])
  }
  const taken = new Map()
  return (e) => {
    if (e.netlink?.cookie !== undefined && byCookie.size > 0) return byCookie.get(e.netlink.cookie)
    if (e.inode) return byInode.get(e.inode)
    const k = tuple(e)
    const n = taken.get(k) ?? 0
    taken.set(k, n + 1)
    return byTuple.get(k)?.[n]
  }
}
// A sysctl of this namespace, or (net.core.{r,w}mem_default, which are not per namespace
// before Linux 6.x and exist only in the initial one) the value kholder read there and
// printed in its output ($KHOLD_OUT, from knode.sh).
function sysctl(name, i = 0) {
  try {
    return Number(readFileSync(`/proc/sys/${name}`, 'utf8').trim().split(/\s+/)[i])
  } catch (error) {
    const out = process.env.KHOLD_OUT ? readFileSync(process.env.KHOLD_OUT, 'utf8') : ''
    const m = out.match(new RegExp(`^KHOLD sysctl ${name} (\\d+)`, 'm'))
    if (m === null) throw error
    return Number(m[1])
  }
}

async function asRoot() {
  const t0 = Date.now()
  const auto = await listSockets()
  const module = await listSockets({ options: 'module' })
  const pidfd = await listSockets({ options: 'pidfd' })
  console.log(`KTEST-INFO three listings in ${Date.now() - t0} ms`)
  const mine = module.filter(ours)
  result(mine.length >= 20, 'node-module-lists-kholder-sockets', `${mine.length} sockets on ports 7101-7190`)
  const autoMine = auto.filter((e) => ours(e) && e.options !== null)
  result(
    autoMine.length === mine.length && autoMine.every((e) => e.optionsSource === 'module'),
    'node-auto-prefers-module',
    `optionsSource ${show([...new Set(auto.filter(ours).map((e) => e.optionsSource))])}`,
  )
  result(
    mine.every((e) => e.optionsSource === 'module' && e.options !== null && e.optionsError === undefined),
    'node-module-options-for-every-socket',
    show(mine.filter((e) => e.optionsSource !== 'module').map((e) => [label(e), e.optionsError])),
  )

  // Module against pidfd, socket by socket (the same cookie), every option the module
  // reports. What getsockopt cannot tell pidfd leaves out and names undecidable (a
  // connection's buffers, a buffer set to exactly a new socket's size), and a child in
  // an accept queue has no file (pidfd has nothing to take, ENOENT). The new-socket
  // sizes are the zoo's checks' below.
  const newSocketBuf = {
    tcp: { SO_RCVBUF: sysctl('net/ipv4/tcp_rmem', 1), SO_SNDBUF: sysctl('net/ipv4/tcp_wmem', 1) },
    udp: { SO_RCVBUF: sysctl('net/core/rmem_default'), SO_SNDBUF: sysctl('net/core/wmem_default') },
  }
  const inPidfd = joiner(pidfd)
  const pidfdOf = new Map()
  const seen = new Map()
  let compared = 0
  let leftUndecidable = 0
  for (const m of mine) {
    const k = label(m)
    const n = seen.get(k) ?? 0
    seen.set(k, n + 1)
    const p = inPidfd(m)
    pidfdOf.set(m, p)
    if (m.inode === null) {
      result(p !== undefined && p.options === null && p.optionsError?.code === 'ENOENT', `node-options-pidfd-none-for-fileless-${k}-${n}`, `pidfd ${p?.optionsSource} ${show(p?.options)} ${show(p?.optionsError)}`)
      continue
    }
    const name = `node-options-module-equals-pidfd-${k}-${n}`
    if (p === undefined || p.options === null) {
      result(false, name, `pidfd has no options: ${show(p?.optionsError)}`)
      continue
    }
    // pidfd may leave out what getsockopt cannot decide (a connection's buffers), but
    // then it must name it in optionsUndecidable: never a different value.
    const undecidable = (key) => p.options[key] === undefined && p.optionsUndecidable?.[key] !== undefined
    const diff = Object.keys(m.options ?? {}).filter((key) => p.options[key] !== m.options[key] && !undecidable(key))
    result(diff.length === 0 && p.optionsSource === 'pidfd', name, diff.map((key) => `${key} module=${show(m.options[key])} pidfd=${show(p.options[key])}`).join(', '))
    compared++
    leftUndecidable += Object.keys(m.options ?? {}).filter(undecidable).length
  }
  console.log(`KTEST-INFO compared the options of ${compared} sockets; ${leftUndecidable} of the module's options pidfd named undecidable`)
  // The SO_REUSEPORT siblings each got their own line (pidfd agreeing proves which is whose).
  const r6 = mine.filter((e) => e.local.port === 7103 && e.state === 'LISTEN').map((e) => e.options?.SO_RCVBUF)
  const r4 = mine.filter((e) => e.local.port === 7104 && e.state === 'LISTEN').map((e) => e.options?.SO_SNDBUF)
  result(show([...r6].sort()) === show([10000, 20000, 30000]), 'node-reuseport-siblings-tcp6', `SO_RCVBUF ${show(r6)}`)
  result(show([...r4].sort()) === show([10000, 15000, 5000]), 'node-reuseport-siblings-tcp4', `SO_SNDBUF ${show(r4)}`)
  const ur = mine.filter((e) => e.proto === 'udp' && e.local.port === 7108).map((e) => e.options?.SO_RCVBUF)
  result(show([...ur].sort()) === show([6000, 9000]), 'node-reuseaddr-siblings-udp4', `SO_RCVBUF ${show(ur)}`)

  // The zero-window pair: the module's flags, and tcp_info's where the kernel has the field.
  const receiver = (list) => list.find((e) => e.proto === 'tcp' && e.state === 'ESTABLISHED' && e.local.port === 7105)
  const sender = (list) => list.find((e) => e.proto === 'tcp' && e.state === 'ESTABLISHED' && e.remote.port === 7105)
  const mr = receiver(module)
  const ms = sender(module)
  const pr = receiver(pidfd)
  const ps = sender(pidfd)
  result(mr?.diag.receiveWindowZero === true, 'node-zero-window-receiver-module', `diag ${show(mr?.diag)}`)
  result(ms?.diag.sendWindowZero === true, 'node-zero-window-sender-module', `diag ${show(ms?.diag)}`)
  console.log(`KTEST-INFO tcp_info diag: receiver ${show(pr?.diag)} sender ${show(ps?.diag)}`)
  for (const [who, m, p] of [['receiver', mr, pr], ['sender', ms, ps]]) {
    for (const flag of ['sendWindowZero', 'receiveWindowZero']) {
      const fromInfo = p?.diag[flag]
      if (fromInfo === null) {
        console.log(`KTEST-INFO ${who} ${flag}: this kernel's tcp_info lacks the field`)
        continue
      }
      result(fromInfo === m?.diag[flag], `node-zero-window-${who}-${flag}-module-equals-tcp-info`, `module ${show(m?.diag[flag])}, tcp_info ${show(fromInfo)}`)
    }
  }

  // The zoo as kholder made it: the buffers at the kernel's default (and at half), the
  // children nobody accepted, the extras as pidfd reads them (which the bpf source's
  // extras are compared with below).
  const at = (port, state, proto = 'tcp') => mine.filter((e) => e.proto === proto && e.local.port === port && (state === null || e.state === state))
  const bufs = (list) => list.map((e) => [e.options?.SO_RCVBUF, e.options?.SO_SNDBUF])
  for (const [port, proto, div] of [[7117, 'tcp', 2], [7118, 'tcp', 4], [7119, 'udp', 2], [7120, 'udp', 4], [7121, 'udp', 2]]) {
    const got = bufs(at(port, proto === 'tcp' ? 'LISTEN' : null, proto))
    const want = [[newSocketBuf[proto].SO_RCVBUF / div, newSocketBuf[proto].SO_SNDBUF / div]]
    result(isDeepStrictEqual(got, want), `node-zoo-buffers-${div === 2 ? 'at' : 'half'}-default-${proto}-${port}`, `module ${show(got)}, want ${show(want)}`)
  }
  const children = mine.filter((e) => e.inode === null && e.state === 'ESTABLISHED' && (e.local.port === 7115 || e.local.port === 7116))
  result(children.length === 2 && children.every((e) => e.optionsSource === 'module' && e.options?.TCP_KEEPIDLE === (e.family === 4 ? 115 : 116) && e.options.SO_LINGER === (e.family === 4 ? 4 : 5)), 'node-zoo-unaccepted-children-module-options', show(children.map((e) => [label(e), e.optionsSource, e.options])))
  const extras = [
    [7110, 'tcp', 'LISTEN', { SO_MARK: 0x110, IP_TOS: 0x28, SO_PRIORITY: 3, TCP_CONGESTION: 'reno', TCP_MAXSEG: 1200, IP_FREEBIND: true, TCP_NOTSENT_LOWAT: 70001 }],
    [7111, 'tcp', 'LISTEN', { IPV6_V6ONLY: true, IPV6_TCLASS: 0x48, IP_TRANSPARENT: true, SO_BINDTODEVICE: 'lo', TCP_MAXSEG: 1300, SO_PRIORITY: 2 }],
    [7122, 'udp', null, { SO_MARK: 0x122, IP_TOS: 0x38, SO_PRIORITY: 4, IP_FREEBIND: true, SO_BINDTODEVICE: 'lo' }],
    [7123, 'udp', null, { IPV6_V6ONLY: true, IPV6_TCLASS: 0x88, IP_TRANSPARENT: true, SO_MARK: 0x123 }],
    [7124, 'udp', null, { IPV6_V6ONLY: false, SO_PRIORITY: 6 }],
  ]
  for (const [port, proto, state, want] of extras) {
    const p = pidfdOf.get(at(port, state, proto)[0])
    const diff = Object.keys(want).filter((key) => p?.options?.[key] !== want[key])
    result(p !== undefined && diff.length === 0, `node-zoo-extras-pidfd-${proto}-${port}`, diff.map((key) => `${key} pidfd=${show(p?.options?.[key])} want=${show(want[key])}`).join(', ') || 'no entry')
  }

  // The bpf source (socket iterators), against the module socket by socket (joined by
  // the netlink cookie): exactly the module's value for every option of the module's
  // set (present where the module's is, absent where it is absent); its extras equal
  // pidfd's wherever pidfd reports that key; the un-accepted children, which pidfd
  // cannot read, have options from bpf.
  const btf = existsSync('/sys/kernel/btf/vmlinux')
  result(btf, 'node-bpf-btf-vmlinux-present', '/sys/kernel/btf/vmlinux missing (sysfs not mounted, or a kernel without CONFIG_DEBUG_INFO_BTF)')
  const memlock = readFileSync('/proc/self/limits', 'utf8').split('\n').find((line) => line.startsWith('Max locked memory'))
  console.log(`KTEST-INFO ${memlock?.replace(/\s+/g, ' ')}`)
  let bpf = null
  try {
    const t1 = Date.now()
    bpf = await listSockets({ options: 'bpf' })
    console.log(`KTEST-INFO bpf listing in ${Date.now() - t1} ms`)
  } catch (error) {
    result(false, 'node-bpf-source-lists', `listSockets({ options: 'bpf' }) rejected: ${error?.code ? `${error.code} ` : ''}${String(error?.message ?? error).split('\n')[0]}`)
  }
  if (bpf !== null) {
    result(true, 'node-bpf-source-lists', '')
    const inBpf = joiner(bpf)
    const seenBpf = new Map()
    const noPidfd = new Set()
    for (const m of mine) {
      const k = label(m)
      const n = seenBpf.get(k) ?? 0
      seenBpf.set(k, n + 1)
      const name = `node-options-bpf-equals-module-${k}-${n}`
      const b = inBpf(m)
      if (b === undefined || b.options === null || b.optionsSource !== 'bpf') {
        result(false, name, b === undefined ? 'no bpf entry' : `bpf ${b.optionsSource} ${show(b.optionsError)}`)
        continue
      }
      const why = []
      for (const key of new Set([...MODULE_KEYS, ...Object.keys(m.options ?? {})])) {
        if (!isDeepStrictEqual(b.options[key], m.options?.[key])) why.push(`${key} module=${show(m.options?.[key])} bpf=${show(b.options[key])}`)
      }
      const p = pidfdOf.get(m)
      for (const key of Object.keys(b.options).filter((key) => !MODULE_KEYS.has(key) && !(key in (m.options ?? {})))) {
        if (p?.options?.[key] === undefined) noPidfd.add(key)
        else if (!isDeepStrictEqual(b.options[key], p.options[key])) why.push(`${key} bpf=${show(b.options[key])} pidfd=${show(p.options[key])}`)
      }
      result(why.length === 0, name, why.join(', '))
    }
    if (noPidfd.size > 0) console.log(`KTEST-INFO bpf extras pidfd did not report for some socket (not compared there): ${[...noPidfd].join(' ')}`)
    for (const c of children) {
      const b = inBpf(c)
      const p = pidfdOf.get(c)
      result(b?.optionsSource === 'bpf' && b.options !== null && p?.options === null, `node-bpf-options-for-unaccepted-child-${label(c)}`, `bpf ${b?.optionsSource} ${show(b?.optionsError)}, pidfd ${show(p?.options)}`)
    }
  }
  const again = (await listSockets()).filter((e) => ours(e) && e.options !== null)
  result(
    again.length === mine.length && again.every((e) => e.optionsSource === 'module'),
    'node-auto-prefers-module-after-bpf',
    `${again.length} of ${mine.length} with options, optionsSource ${show([...new Set(again.map((e) => e.optionsSource))])}`,
  )

  // The command against cat of the module's files, at the same moment.
  const main = fileURLToPath(new URL('./dist/cli/main.js', import.meta.url))
  let same = false
  let last = null
  let attempts = 0
  while (!same && attempts < 3) {
    attempts++
    const r = spawnSync(process.execPath, [main, '--source', 'module'], { encoding: 'utf8', maxBuffer: 1 << 26 })
    const cat = ['tcpstat', 'tcp6stat', 'udpstat', 'udp6stat'].map((f) => readFileSync(`/proc/net/${f}`, 'utf8')).join('')
    last = { r, cat }
    same = r.status === 0 && r.stdout === cat
  }
  if (attempts > 1) console.log(`KTEST-INFO knetstat --source module matched cat on attempt ${attempts}`)
  if (!same) {
    const a = last.r.stdout.split('\n')
    const b = last.cat.split('\n')
    const i = a.findIndex((line, n) => line !== b[n])
    console.log(`KTEST-INFO exit ${last.r.status} stderr ${show(last.r.stderr.slice(0, 300))}`)
    console.log(`KTEST-INFO first difference at line ${i + 1}:\n  knetstat: ${show(a[i])}\n  cat:      ${show(b[i])}`)
  }
  result(same, 'node-cli-source-module-byte-identical-to-cat', `${last.r.stdout.length} bytes from knetstat, ${last.cat.length} from cat`)
  result(last.r.stdout.includes('127.0.0.1:7101') && last.r.stdout.includes('::1:7103'), 'node-cli-lists-kholder-sockets', 'ports 7101/7103 missing')

  // From another network namespace (a fresh one, `unshare -n`), this one listed by
  // pid: the module's files are read as this namespace has them (opened from a thread
  // that entered it), and the bpf iteration is of this namespace too.
  const here = process.pid
  for (const source of ['module', 'bpf']) {
    const direct = (await listSockets({ options: source })).filter(ours)
    const code = `import('./dist/index.js').then(async (k) => { const l = await k.listSockets({ netns: ${here}, options: '${source}' }); console.log(JSON.stringify(l.map((e) => [e.netlink.cookie, e.netns, e.optionsSource, e.options]))) })`
    const r = spawnSync('unshare', ['-n', process.execPath, '--input-type=module', '-e', code], { encoding: 'utf8', maxBuffer: 1 << 26, cwd: fileURLToPath(new URL('.', import.meta.url)) })
    let remote = []
    try {
      remote = JSON.parse(r.stdout)
    } catch {
      console.log(`KTEST-INFO netns lister (${source}) exit ${r.status}: ${show(r.stderr.slice(0, 400))}`)
    }
    // By cookie: sockets waiting in an accept queue have no inode.
    const byCookie = new Map(remote.map(([cookie, netns, from, options]) => [cookie, { netns, from, options }]))
    const withOptions = direct.filter((e) => e.options !== null)
    const differs = withOptions.filter((e) => {
      const o = byCookie.get(e.netlink.cookie)
      return o === undefined || o.from !== source || !isDeepStrictEqual(o.options, e.options)
    })
    result(
      withOptions.length > 0 && differs.length === 0,
      `node-netns-${source}-from-another-namespace`,
      `${differs.length} of ${withOptions.length} differ, first ${show(differs[0] && label(differs[0]))} ${show(differs[0] && byCookie.get(differs[0].netlink.cookie))}`,
    )
    result(byCookie.size > 0 && [...byCookie.values()].every((o) => o.netns?.inode > 0), `node-netns-${source}-entries-say-namespace`, show(remote[0]?.[1]))
  }
}

async function asUser() {
  const uid = process.getuid()
  result(uid !== 0 && uid !== 65534, 'node-user-unprivileged', `uid ${uid}`)
  const module = await listSockets({ options: 'module' })
  const pidfd = await listSockets({ options: 'pidfd' })
  const auto = await listSockets()
  const other = (list) => list.find((e) => e.proto === 'tcp' && e.state === 'LISTEN' && e.local.port === 7190)
  const m = other(module)
  const p = other(pidfd)
  const a = other(auto)
  result(m?.uid === 65534, 'node-user-other-users-listener-listed', `uid ${m?.uid}`)
  // The module shows a socket's options only to its owner or with CAP_SYS_PTRACE,
  // as pidfd does: another user's listener has none from either source.
  result(m !== undefined && m.options === null && m.optionsSource === null, 'node-user-other-users-options-hidden-by-module', `${m?.optionsSource} ${show(m?.options)}`)
  console.log(`KTEST-INFO module entry for the other user's socket: ${show(m?.optionsError)}`)
  result(p !== undefined && p.options === null && p.optionsSource === null && p.optionsError !== undefined, 'node-user-other-users-no-options-from-pidfd', `${show(p?.options)} ${show(p?.optionsError)}`)
  console.log(`KTEST-INFO pidfd for the other user's socket: ${show(p?.optionsError?.code)}`)
  result(a !== undefined && a.options === null, 'node-user-auto-no-options-for-other-users', `${a?.optionsSource} ${show(a?.options)}`)
  // Root's sockets: hidden from this user by the module, and by pidfd.
  const roots = module.filter((e) => ours(e) && e.uid === 0)
  result(roots.length >= 20 && roots.every((e) => e.options === null), 'node-user-root-sockets-options-hidden-by-module', `${roots.length} sockets, ${roots.filter((e) => e.options !== null).length} with options`)
  const rootsPidfd = pidfd.filter((e) => ours(e) && e.uid === 0)
  result(rootsPidfd.every((e) => e.options === null), 'node-user-root-sockets-no-options-from-pidfd', `${rootsPidfd.filter((e) => e.options !== null).length} with options`)
  // Its own listener: options from the module (Node sets SO_REUSEADDR on listeners).
  const server = createServer()
  await new Promise((resolve, reject) => server.once('error', reject).listen(7191, '127.0.0.1', resolve))
  try {
    const own = (await listSockets({ options: 'module' })).find((e) => e.proto === 'tcp' && e.state === 'LISTEN' && e.local.port === 7191)
    result(own?.uid === uid && own.optionsSource === 'module' && own.options?.SO_REUSEADDR === true, 'node-user-own-listener-options-from-module', `uid ${own?.uid} ${own?.optionsSource} ${show(own?.options)} ${show(own?.optionsError)}`)
  } finally {
    server.close()
  }
}

try {
  if (role === 'root') await asRoot()
  else if (role === 'user') await asUser()
  else throw new Error(`unknown role ${role}`)
} catch (error) {
  result(false, `node-${role}-ran`, String(error?.stack ?? error).split('\n').slice(0, 4).join(' | '))
}
console.log(`KTEST-COUNT ${pass} ${fail}`)

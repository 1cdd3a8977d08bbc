// The library on the module, in the guest (run by knode.sh from /pkg, the built
// package, in a network namespace holding only kholder's sockets, ports 7101-7190):
//
//   node knode.mjs root   as root: for every option the module reports, pidfd reports
//                         the same value or names it undecidable; the zero-window pair's diag flags agree with
//                         tcp_info; 'auto' picks the module; `knetstat --source module`
//                         prints the module's files byte for byte.
//   node knode.mjs user   as an unprivileged user: the other user's listener (7190,
//                         uid 65534) and root's sockets have options from neither the
//                         module nor pidfd; a listener of its own (7191) has them from
//                         the module.
//
// Prints "KTEST ok NAME" / "KTEST not ok NAME: WHY" and "KTEST-COUNT PASS FAIL" as
// ktest does; exits 0 when it ran to the end (failures are in the counts).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
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

  // Module against pidfd, socket by socket (the same inode), every option the module reports.
  const byInode = new Map(pidfd.map((e) => [e.inode, e]))
  const seen = new Map()
  let compared = 0
  let leftUndecidable = 0
  for (const m of mine) {
    const k = label(m)
    const n = seen.get(k) ?? 0
    seen.set(k, n + 1)
    const name = `node-options-module-equals-pidfd-${k}-${n}`
    const p = byInode.get(m.inode)
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

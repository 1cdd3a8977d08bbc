// Loading the addon: the real one, the error when no binary can be found, and the
// netlink source's refusal of a binary that writes another record layout.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { NativeLoadError, PACKAGE_ROOT, addonPath, hostLibc, hostTarget, loadBinding, loadFrom, prebuildLibc } from '../../src/native/load.js'
import { checkRecordLayout, netlinkBinding, RECORD_ABI_VERSION } from '../../src/sources/netlink/index.js'

t.test('the package\'s addon loads once and matches the decoder', (t) => {
  const binding = loadBinding()
  t.equal(binding, loadBinding(), 'cached')
  t.equal(binding.recordAbiVersion, RECORD_ABI_VERSION)
  t.type(binding.openDumpCursor, 'function')
  t.notOk('parseReplyForTest' in binding, 'no test-only export (the parser is in the test addon, test/native/parser-addon/)')
  t.ok(PACKAGE_ROOT.endsWith('/'), 'a directory')
  t.end()
})

t.test('a package without a binary says where it looked and how to build', (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'knetstat-load-'))
  t.teardown(() => rmSync(empty, { recursive: true, force: true }))
  const error = t.throws(() => loadFrom(empty)) as unknown
  t.ok(error instanceof NativeLoadError)
  const { message, code } = error as NativeLoadError
  t.equal(code, 'ERR_KNETSTAT_NATIVE_LOAD')
  t.match(message, `on ${hostTarget()}:`, 'names platform, arch and libc')
  t.match(message, /\((glibc|musl)\)/)
  t.match(message, 'prebuilds ship for no platform')
  t.match(message, join(empty, 'build', 'Release'))
  t.match(message, `cd '${empty}' && npm run build:native`, 'the one command that builds it')
  t.match(message, /python3, make and g\+\+/)
  t.end()
})

t.test('this host is named as prebuilds are, with its C library', (t) => {
  t.match(hostTarget(), new RegExp(`^${process.platform}-${process.arch} \\((glibc|musl)\\)$`))
  t.end()
})

/** A package directory holding empty files at the given paths. */
function fakePackage(t: { teardown: (fn: () => void) => void }, files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'knetstat-load-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true })
    writeFileSync(join(root, f), '')
  }
  return root
}

t.test('the prebuild is picked by the C library this Node runs on, not by /etc/alpine-release', (t) => {
  const root = fakePackage(t, ['prebuilds/linux-x64/knetstat.glibc.node', 'prebuilds/linux-x64/knetstat.musl.node', 'prebuilds/linux-arm64/knetstat.musl.node'])
  t.equal(addonPath(root, 'glibc', 'linux', 'x64'), join(root, 'prebuilds/linux-x64/knetstat.glibc.node'))
  t.equal(addonPath(root, 'musl', 'linux', 'x64'), join(root, 'prebuilds/linux-x64/knetstat.musl.node'))
  t.equal(addonPath(root, 'musl', 'linux', 'arm64'), join(root, 'prebuilds/linux-arm64/knetstat.musl.node'))
  t.equal(addonPath(root, 'glibc', 'linux', 'arm64'), undefined, 'never the other C library\'s')
  t.equal(addonPath(root, 'glibc', 'linux', 'ia32'), undefined)
  t.equal(prebuildLibc('knetstat.musl.node'), 'musl')
  t.equal(prebuildLibc('knetstat.napi.glibc.node'), 'glibc')
  t.equal(prebuildLibc('knetstat.node'), undefined)
  t.end()
})

t.test('an untagged prebuild fits either C library, a tagged one is preferred', (t) => {
  const root = fakePackage(t, ['prebuilds/linux-x64/knetstat.node', 'prebuilds/linux-x64/knetstat.musl.node'])
  t.equal(addonPath(root, 'musl', 'linux', 'x64'), join(root, 'prebuilds/linux-x64/knetstat.musl.node'))
  t.equal(addonPath(root, 'glibc', 'linux', 'x64'), join(root, 'prebuilds/linux-x64/knetstat.node'))
  t.end()
})

t.test('a local build is preferred to the prebuilds, unless PREBUILDS_ONLY', (t) => {
  const root = fakePackage(t, ['build/Release/knetstat.node', 'prebuilds/linux-x64/knetstat.glibc.node'])
  t.equal(addonPath(root, 'glibc', 'linux', 'x64'), join(root, 'build/Release/knetstat.node'))
  process.env.PREBUILDS_ONLY = '1'
  try {
    t.equal(addonPath(root, 'glibc', 'linux', 'x64'), join(root, 'prebuilds/linux-x64/knetstat.glibc.node'))
  } finally {
    delete process.env.PREBUILDS_ONLY
  }
  t.end()
})

t.test('the error names the prebuilds shipped with their C libraries', (t) => {
  const other = process.arch === 'arm64' ? 'x64' : 'arm64'
  const root = fakePackage(t, [`prebuilds/linux-${other}/knetstat.glibc.node`, `prebuilds/linux-${other}/knetstat.musl.node`])
  const error = t.throws(() => loadFrom(root)) as NativeLoadError
  t.match(error.message, `prebuilds ship for linux-${other} (glibc, musl), and there is no local build`)
  t.match(error.message, `no binary for ${hostTarget()}`)
  t.equal(hostTarget(), `${process.platform}-${process.arch} (${hostLibc()})`)
  t.end()
})

t.test('a binary writing another record layout is refused before it is read', (t) => {
  t.throws(() => checkRecordLayout({ recordAbiVersion: RECORD_ABI_VERSION + 1 }), {
    name: 'NativeLoadError',
    code: 'ERR_KNETSTAT_NATIVE_LOAD',
    message: new RegExp(`layout version ${RECORD_ABI_VERSION + 1} but this version decodes ${RECORD_ABI_VERSION}: the binary is stale\\. Rebuild it with \`npm run build:native\``),
  })
  t.doesNotThrow(() => checkRecordLayout(loadBinding()), 'this package\'s binary')
  t.equal(netlinkBinding(), loadBinding(), 'the one loaded addon')
  t.end()
})

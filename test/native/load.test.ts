// Loading the addon: the real one, the error when no binary can be found, and the
// netlink source's refusal of a binary that writes another record layout.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { NativeLoadError, PACKAGE_ROOT, hostTarget, loadBinding, loadFrom } from '../../src/native/load.js'
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

// A platform with no prebuild: the package installs with scripts off (it has no
// install script), loading names the platform and the command, and that command,
// run as printed, builds the addon so listing works.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { npmInstall, packTarball, tempProject } from '../helpers/pack.js'

const tools = ['python3', 'make', 'g++'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)

t.test('no prebuild: the load error names the build command, which works', { skip: tools.length > 0 ? `no ${tools.join(', ')}` : false }, async (t) => {
  const tarball = packTarball()
  const app = tempProject({ type: 'module' })
  t.teardown(() => {
    rmSync(app, { recursive: true, force: true })
    rmSync(join(tarball, '..'), { recursive: true, force: true })
  })
  npmInstall(app, ['--ignore-scripts', tarball])
  const installed = join(app, 'node_modules', 'knetstat')
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'))
  t.notOk(manifest.scripts?.install ?? manifest.scripts?.preinstall ?? manifest.scripts?.postinstall, 'no install script')
  t.equal(manifest.gypfile, false, "npm adds no implicit `node-gyp rebuild` for binding.gyp")
  // As on linux-arm64 or musl today: no prebuild for this host.
  rmSync(join(installed, 'prebuilds'), { recursive: true })

  const list = "import('knetstat').then((k) => k.listSockets()).then((s) => console.log('listed', s.length), (e) => { console.log(e.code, e.message); process.exit(3) })"
  const before = spawnSync(process.execPath, ['-e', list], { cwd: app, encoding: 'utf8' })
  t.equal(before.status, 3, 'listing fails')
  t.match(before.stdout, /^ERR_KNETSTAT_NATIVE_LOAD .*could not be loaded on \S+-\S+ \((glibc|musl)\)/)
  const command = /Build it from source \(needs python3, make and g\+\+\): (cd '[^']+' && npm run build:native)/.exec(before.stdout)?.[1]
  t.ok(command, `the message gives the command: ${before.stdout}`)
  if (command === undefined) return

  const build = spawnSync('sh', ['-c', command], { cwd: app, encoding: 'utf8' })
  t.equal(build.status, 0, `${command}: ${build.stderr.slice(-2000)}`)
  const after = spawnSync(process.execPath, ['-e', list], { cwd: app, encoding: 'utf8' })
  t.equal(after.status, 0, after.stdout)
  t.match(after.stdout, /^listed \d+/)
})

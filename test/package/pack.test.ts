// The published package: `npm pack`'s tarball carries the prebuilt addon, and
// installs and runs in an empty folder on a machine with no compiler on PATH.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { TCP_HEADER } from '../helpers/knetstat-text.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'knetstat-pack-'))
const out = join(work, 'tarball')
mkdirSync(out)

test('the tarball holds the prebuild, the built library and the command', async (t) => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
  const files = (packed[0].files as { path: string }[]).map((f) => f.path)
  for (const prebuild of ['linux-x64/knetstat.glibc.node', 'linux-x64/knetstat.musl.node', 'linux-arm64/knetstat.glibc.node', 'linux-arm64/knetstat.musl.node']) {
    t.ok(files.includes(`prebuilds/${prebuild}`), `prebuilds/${prebuild}`)
  }
  t.ok(files.includes('dist/index.js'), 'dist/index.js')
  t.ok(files.includes('dist/index.d.ts'), 'dist/index.d.ts')
  t.ok(files.includes('dist/cli/main.js'), 'the command')
  t.ok(files.includes('types/binding.d.ts'), 'the binding contract')
  t.notOk(files.some((f) => f.startsWith('test/') || f.startsWith('build/')), 'no tests or local builds')
})

test('installs with no compiler on PATH and `npx knetstat` runs', async (t) => {
  const tarball = join(out, readdirSync(out).find((f) => f.endsWith('.tgz')) as string)
  // A PATH with node, npm and sh only: any attempt to compile the addon would fail.
  const bin = join(work, 'bin')
  mkdirSync(bin)
  for (const tool of ['node', 'npm', 'npx', 'sh']) {
    const where = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim()
    symlinkSync(where, join(bin, tool))
  }
  const env = { ...process.env, PATH: bin, npm_config_nodedir: '' }
  t.not(spawnSync('sh', ['-c', 'command -v cc || command -v g++ || command -v make'], { env }).status, 0, 'no compiler on PATH')
  // An empty project of its own, so npm installs here and not into an ancestor's.
  const app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }))
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, env, encoding: 'utf8' })
  t.equal(install.status, 0, `npm install of the tarball: ${install.stderr}`)
  const run = spawnSync('npx', ['--no-install', 'knetstat'], { cwd: app, env, encoding: 'utf8', maxBuffer: 1 << 30 })
  t.equal(run.status, 0, `npx knetstat: ${run.stderr}`)
  t.match(run.stdout, new RegExp(`^${TCP_HEADER}\n`), 'prints the TCP table')
  t.equal(run.stdout.match(/^Recv-Q/gm)?.length, 4, 'all four tables')
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
})

// The published package's types, as its users' tools see them: arethetypeswrong and
// publint find nothing, and a CommonJS TypeScript project uses it in the forms
// README.md documents (the package is ESM only).
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/native/load.js'
import { npmInstall, packTarball, tempProject } from '../helpers/pack.js'

const bin = (name: string): string => join(PACKAGE_ROOT, 'node_modules', '.bin', name)
const tarball = packTarball()
t.teardown(() => rmSync(dirname(tarball), { recursive: true, force: true }))

t.test('arethetypeswrong: clean for an ESM-only package', async (t) => {
  const esmOnly = spawnSync(bin('attw'), ['--profile', 'esm-only', tarball], { encoding: 'utf8' })
  t.equal(esmOnly.status, 0, esmOnly.status === 0 ? 'attw --profile esm-only: no problem' : esmOnly.stdout)
  // Every profile's one finding is the one esm-only accepts: require() meets ESM.
  const json = join(dirname(tarball), 'attw.json')
  spawnSync('sh', ['-c', `"$0" --format json "$1" > "$2"`, bin('attw'), tarball, json])
  const { problems, entrypoints } = JSON.parse(readFileSync(json, 'utf8')).analysis
  t.same([...new Set((problems as { kind: string }[]).map((p) => p.kind))], ['CJSResolvesToESM'])
  // node10 has no "exports": the subpath's types come from "typesVersions".
  t.equal(entrypoints['./prometheus'].resolutions.node10.resolution?.fileName, '/node_modules/knetstat/dist/prometheus.d.ts')
})

t.test('publint: clean, warnings and suggestions included', async (t) => {
  const lint = spawnSync(bin('publint'), ['--strict', '--level', 'suggestion', tarball], { encoding: 'utf8' })
  t.equal(lint.status, 0, lint.status === 0 ? 'publint --strict: no message' : lint.stdout + lint.stderr)
  t.match(lint.stdout, 'All good!')
})

t.test('a CommonJS TypeScript project type-checks and runs the documented forms', async (t) => {
  const app = tempProject({ type: 'commonjs' })
  t.teardown(() => rmSync(app, { recursive: true, force: true }))
  npmInstall(app, ['--ignore-scripts', tarball])
  mkdirSync(join(app, 'node_modules', '@types'))
  symlinkSync(join(PACKAGE_ROOT, 'node_modules', '@types', 'node'), join(app, 'node_modules', '@types', 'node'))
  const tsc = (module: string, source: string): ReturnType<typeof spawnSync> => {
    writeFileSync(join(app, 'index.ts'), source)
    const compilerOptions = { module, target: 'es2022', strict: true, types: ['node'], skipLibCheck: true, outDir: 'out' }
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['index.ts'] }))
    return spawnSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, encoding: 'utf8' })
  }
  const run = (): string => execFileSync(process.execPath, [join(app, 'out', 'index.js')], { cwd: app, encoding: 'utf8' })

  // Any Node 20 and "module": "node16": import() and a type import marked as ESM.
  const node16 = tsc(
    'node16',
    `import type { SocketEntry } from 'knetstat' with { 'resolution-mode': 'import' }
async function main(): Promise<void> {
  const { listSockets } = await import('knetstat')
  const sockets: SocketEntry[] = await listSockets({ proto: 'tcp' })
  console.log('listed', sockets.length)
}
void main()
`,
  )
  t.equal(node16.status, 0, `module node16: ${node16.stdout}`)
  t.match(run(), /^listed \d+/)

  // Node >= 20.19 loads ESM with require(), and TypeScript's "module": "node20" knows it.
  const node20 = tsc('node20', "import { listSockets } from 'knetstat'\nvoid listSockets({ proto: 'tcp' }).then((s) => console.log('listed', s.length))\n")
  t.equal(node20.status, 0, `module node20: ${node20.stdout}`)
  t.match(readFileSync(join(app, 'out', 'index.js'), 'utf8'), "require(\"knetstat\")", 'compiled to require()')
  t.match(run(), /^listed \d+/)
})

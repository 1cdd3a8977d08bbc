// The import rules of docs/architecture.md ("Folders, and what each may import"),
// checked over the sources as they are: a rule broken fails here, not in review.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/native/load.js'

function files(dir: string, suffixes: string[]): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && suffixes.some((s) => d.name.endsWith(s)))
    .map((d) => join(d.parentPath, d.name))
}

/** Each relative import of a TypeScript file, as a path from the package root. */
function tsImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const match of text.matchAll(/^(?:import|export)\b[^'"]*?from '(\.[^']+)'/gm)) {
    const target = resolve(dirname(file), match[1] as string).replace(/\.js$/, '.ts')
    out.push(relative(PACKAGE_ROOT, target))
  }
  return out
}

const src = join(PACKAGE_ROOT, 'src')
const sourceFiles = files(src, ['.ts'])
const edges = sourceFiles.flatMap((file) => tsImports(file).map((to) => ({ from: relative(PACKAGE_ROOT, file), to })))

/** The source folder a path is in (src/sources/<name>/…), or null. */
const sourceFolder = (path: string): string | null => /^src\/sources\/([^/]+)\//.exec(path)?.[1] ?? null

t.test('the import graph was read', async (t) => {
  t.ok(sourceFiles.length > 50, `${sourceFiles.length} files`)
  t.ok(edges.some((e) => e.from === 'src/plan.ts' && e.to === 'src/sources/netlink/index.ts'), 'the plan imports the netlink source')
})

t.test("a source folder is entered through its index.ts", async (t) => {
  const broken = edges.filter((e) => {
    const into = sourceFolder(e.to)
    return into !== null && sourceFolder(e.from) !== into && !e.to.endsWith(`src/sources/${into}/index.ts`)
  })
  t.same(broken, [], 'imports past a folder\'s index.ts')
})

t.test('src/util/ imports nothing of knetstat', async (t) => {
  t.same(
    edges.filter((e) => e.from.startsWith('src/util/')),
    [],
  )
})

t.test("nothing in src/ imports from outside src/ but the addon's typed contract", async (t) => {
  t.same(
    edges.filter((e) => !e.to.startsWith('src/') && e.to !== 'types/binding.ts'),
    [],
  )
})

t.test('outside the sources, only the plan and a few named files import a source folder', async (t) => {
  // Each of these has a reason of its own; everything else reaches sources through the plan.
  const allowed = new Map([
    ['src/plan.ts', 'runs the sources'],
    ['src/query.ts', "checks a query against netlink's filter limit and a recording's shape"],
    ['src/record.ts', "copies the module's files as they are"],
    ['src/index.ts', "exports the replay source's public types and errors"],
    ['src/model.ts', "the types of netlink's own data (TcpInfo, SocketMemInfo, DiagSockopt), declared where they are decoded"],
    ['src/health/check.ts', "judges an option pidfd found at the system default against that default (pidfd's unsetValue and sysctls)"],
  ])
  const broken = edges.filter((e) => sourceFolder(e.to) !== null && !e.from.startsWith('src/sources/') && !allowed.has(e.from))
  t.same(broken, [])
})

t.test('a source folder imports no peer but the one it builds on: pidfd reads through the processes scan', async (t) => {
  const peers = edges.filter((e) => {
    const from = sourceFolder(e.from)
    const to = sourceFolder(e.to)
    return from !== null && to !== null && from !== to
  })
  t.same(
    peers.map((e) => `${sourceFolder(e.from)} -> ${sourceFolder(e.to)}`).filter((edge, i, all) => all.indexOf(edge) === i).sort(),
    ['pidfd -> processes'],
  )
})

t.test('the C++ cores (diag, proc, pidfd, util) include neither N-API nor the addon', async (t) => {
  const native = join(PACKAGE_ROOT, 'src-native')
  const broken: string[] = []
  for (const folder of ['diag', 'proc', 'pidfd', 'util']) {
    for (const file of files(join(native, folder), ['.h', '.cc'])) {
      const text = readFileSync(file, 'utf8')
      for (const match of text.matchAll(/^#include [<"]([^>"]+)[>"]/gm)) {
        const header = match[1] as string
        if (header.startsWith('napi') || header.startsWith('node_api') || header.startsWith('addon/')) {
          broken.push(`${relative(PACKAGE_ROOT, file)}: ${header}`)
        }
      }
    }
  }
  t.same(broken, [])
})

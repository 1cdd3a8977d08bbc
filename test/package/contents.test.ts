// What the tarball ships is whole: what the docs link to is in it, its source maps
// point at sources it holds, every C++ source in it is built, and installing runs nothing.
import { readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/native/load.js'
import { packedFiles } from '../helpers/pack.js'

const files = new Set(packedFiles())
const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'))

/** Links into the repository that deliberately point at what does not ship, and why. */
const NOT_SHIPPED = new Map<string, string>([])

t.test('every relative link of README.md and docs/*.md resolves inside the tarball', async (t) => {
  const docs = ['README.md', ...[...files].filter((f) => /^docs\/[^/]+\.md$/.test(f))]
  t.ok(docs.length > 5, `${docs.length} documents`)
  const dangling: string[] = []
  let links = 0
  for (const doc of docs) {
    const text = readFileSync(join(PACKAGE_ROOT, doc), 'utf8')
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (match[1] as string).split('#')[0] as string
      if (target === '' || /^[a-z]+:/i.test(target)) continue // an anchor or a URL
      const path = normalize(join(dirname(doc), target))
      if (path.startsWith('..')) continue // outside the repository
      links++
      const shipped = files.has(path) || [...files].some((f) => f.startsWith(`${path.replace(/\/$/, '')}/`))
      if (!shipped && !NOT_SHIPPED.has(path)) dangling.push(`${doc}: ${match[1]}`)
    }
  }
  t.ok(links > 20, `${links} links checked`)
  t.same(dangling, [], 'links to files the tarball lacks')
})

t.test('every source map in the tarball points at sources it ships', async (t) => {
  const maps = [...files].filter((f) => f.endsWith('.map'))
  const missing: string[] = []
  for (const map of maps) {
    const { sources, sourceRoot = '' } = JSON.parse(readFileSync(join(PACKAGE_ROOT, map), 'utf8')) as { sources: string[]; sourceRoot?: string }
    for (const source of sources) {
      const path = relative(PACKAGE_ROOT, join(PACKAGE_ROOT, dirname(map), sourceRoot, source))
      if (!files.has(path)) missing.push(`${map}: ${source}`)
    }
  }
  t.same(missing, [], `${maps.length} maps`)
})

t.test('every C++ source in the tarball is one binding.gyp builds', async (t) => {
  const gyp = readFileSync(join(PACKAGE_ROOT, 'binding.gyp'), 'utf8')
  const unbuilt = [...files].filter((f) => f.endsWith('.cc') && !gyp.includes(`"${f}"`))
  t.same(unbuilt, [], 'shipped but built by nothing (tests and fuzzers stay in test/)')
  t.notOk([...files].some((f) => f.startsWith('test/') || f.startsWith('bench/')), 'no tests or benchmarks')
})

t.test('installing runs no script', async (t) => {
  const scripts = manifest.scripts ?? {}
  t.same(['preinstall', 'install', 'postinstall'].filter((s) => s in scripts), [], 'no install scripts')
  // Without this, npm runs `node-gyp rebuild` for a package shipping binding.gyp.
  t.ok(files.has('binding.gyp'))
  t.equal(manifest.gypfile, false, 'gypfile: false')
})

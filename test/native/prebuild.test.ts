// The committed prebuild must be built from the committed sources: the package
// ships it, and node-gyp-build picks it over compiling.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import t from 'tap'
import type { NativeBinding } from '../../types/binding.js'
import { PACKAGE_ROOT, loadBinding } from '../../src/native/load.js'

const require = createRequire(import.meta.url)
const { sourceHash } = require(join(PACKAGE_ROOT, 'src-native', 'tools', 'source-hash.cjs')) as {
  sourceHash: (root: string) => number
}
const prebuild = join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'knetstat.node')

t.test('the prebuild for this platform matches the native sources', { skip: existsSync(prebuild) ? false : `no ${prebuild}` }, (t) => {
  const binding = require(prebuild) as NativeBinding
  t.equal(
    binding.sourceHash,
    sourceHash(PACKAGE_ROOT),
    'prebuilds/ is stale: run `npm run build:prebuilds` and commit prebuilds/ with the C++ change',
  )
  t.end()
})

t.test('the loaded addon reports the fingerprint of its sources', (t) => {
  t.type(loadBinding().sourceHash, 'number')
  t.end()
})

// A fingerprint of the sources the addon is compiled from (binding.gyp and the
// C++ under src-native/ with the compiled BPF program (.inc), its tools excluded). binding.gyp compiles it
// into the binary, so a test can tell when the committed prebuild is stale.
// Run directly, it prints the fingerprint as a C integer literal.
'use strict'
const { createHash } = require('node:crypto')
const { readdirSync, readFileSync } = require('node:fs')
const { join, relative, sep } = require('node:path')

const SKIPPED = new Set(['tools'])

function sourceFiles(dir, root) {
  const files = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name) || dir !== root) files.push(...sourceFiles(path, root))
    } else if (/\.(cc|h|inc)$/.test(entry.name)) {
      files.push(path)
    }
  }
  return files
}

/** The first 32 bits of a SHA-256 over the sources' paths and bytes (CRLF read as LF). */
function sourceHash(packageRoot) {
  const native = join(packageRoot, 'src-native')
  const files = [join(packageRoot, 'binding.gyp'), ...sourceFiles(native, native)]
  const paths = files.map((f) => relative(packageRoot, f).split(sep).join('/')).sort()
  const hash = createHash('sha256')
  for (const path of paths) {
    hash.update(`${path}\0`)
    hash.update(readFileSync(join(packageRoot, path), 'latin1').replace(/\r\n/g, '\n'), 'latin1')
    hash.update('\0')
  }
  return hash.digest().readUInt32BE(0)
}

module.exports = { sourceHash }

if (require.main === module) {
  process.stdout.write(`0x${sourceHash(join(__dirname, '..', '..')).toString(16).padStart(8, '0')}u\n`)
}

// The test addon (test/native/parser-addon/): the production netlink reply parser
// behind parseReply(bytes, protocol?), so tests feed it crafted datagrams and decode
// its records with the production EntryDecoder. It never ships, so it is not
// prebuilt: the first test that asks builds it with node-gyp, once per version of its
// sources, in node_modules/.cache/knetstat-parser-addon/<hash>/ (hash: the sources,
// Node's version and headers, the compiler and its flags from the environment).
// Test processes running at once build it once: one holds <hash>.lock while the others
// wait, and the finished directory appears by an atomic rename.
//
// Without a compiler (g++, make, python3) or Node's headers it cannot be built: the
// tests that need it skip, saying why. With them, a failed build throws (a C++ error
// is a failure, not a reason to skip). node-gyp never downloads headers: it gets
// --nodedir (npm_config_nodedir, `npm config get nodedir`, or the headers beside
// this node, as .ci/run finds them).
//
// KNETSTAT_PARSER_ADDON=<path to a .node> loads that build instead (test/asan/run.sh
// builds it with sanitizers before it preloads ASan's runtime).
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { PACKAGE_ROOT } from '../../src/native/load.js'
import { RECORD_ABI_VERSION } from '../../src/sources/netlink/index.js'

/** What parseReply reports about one datagram of crafted netlink bytes. */
export interface ParseReplyResult {
  /** 'more': all messages consumed, no NLMSG_DONE yet; 'done': NLMSG_DONE (success); 'error': see errno. */
  end: 'more' | 'done' | 'error'
  /** Records appended before the parser stopped, back to back (decoded by EntryDecoder). */
  records: Buffer
  recordCount: number
  /** Messages ignored: unknown types, acks, non-inet families, NLMSG_NOOP. */
  skipped: number
  /** NLM_F_DUMP_INTR was set on a message. */
  interrupted: boolean
  /** With end 'error': negative errno (from NLMSG_ERROR/NLMSG_DONE, or -EBADMSG for malformed bytes). */
  errno?: number
  /** With end 'error': the errno's name, e.g. 'ENOENT', 'EBADMSG'. */
  code?: string
  /** For malformed bytes: which length did not add up. */
  detail?: string
}

/** The test addon's exports (test/native/parser-addon/addon.cc). */
interface ParserTestingBinding {
  /**
   * Runs the production reply parser synchronously over one datagram of netlink bytes;
   * `protocol` (default 0) is stamped into each record as the dump's protocol. Throws
   * a TypeError (ERR_INVALID_ARG_TYPE) for anything but a Uint8Array, a RangeError
   * (ERR_OUT_OF_RANGE) for a protocol above 255.
   */
  parseReply(bytes: Uint8Array, protocol?: number): ParseReplyResult
  readonly recordAbiVersion: number
}

export interface ParserAddon {
  /** The parser over crafted bytes; throws when `skip` is set (never call it then). */
  parseReply(bytes: Uint8Array, protocol?: number): ParseReplyResult
  /** Why the test addon is unavailable (a tap `skip` option), or false. */
  skip: string | false
  /** The .node loaded, and whether this process built it (with the build's seconds). */
  path: string | null
  builtSeconds: number | null
}

const TARGET = 'knetstat_parser_testing'
const ADDON_DIR = join('test', 'native', 'parser-addon')
const CACHE = join(PACKAGE_ROOT, 'node_modules', '.cache', 'knetstat-parser-addon')
/** A lock older than this is taken to be left by a build that died (a build takes seconds). */
const STALE_LOCK_MS = 10 * 60 * 1000
const WAIT_MS = 15 * 60 * 1000

class Unavailable extends Error {}

let loaded: ParserAddon | undefined

/** The test addon, built (or found in the cache) and loaded on the first call. */
export function parserAddon(): ParserAddon {
  loaded ??= load()
  return loaded
}

function load(): ParserAddon {
  let path: string
  let builtSeconds: number | null = null
  try {
    const given = process.env.KNETSTAT_PARSER_ADDON
    if (given) {
      path = given
    } else {
      const built = buildCached()
      path = built.path
      builtSeconds = built.seconds
    }
  } catch (error) {
    if (!(error instanceof Unavailable)) throw error
    const skip = `the parser test addon cannot be built here: ${error.message}`
    return {
      parseReply: () => {
        throw new Error(skip)
      },
      skip,
      path: null,
      builtSeconds: null,
    }
  }
  const binding = createRequire(import.meta.url)(path) as ParserTestingBinding
  if (binding.recordAbiVersion !== RECORD_ABI_VERSION) {
    throw new Error(`${path} writes record layout ${binding.recordAbiVersion}, the decoder reads ${RECORD_ABI_VERSION}: rebuild it`)
  }
  return { parseReply: (bytes, protocol) => binding.parseReply(bytes, protocol), skip: false, path, builtSeconds }
}

// ---- what to build ---------------------------------------------------------------

/** The files a build compiles from, as paths from the package root: the test addon and src-native's C++. */
function sourceFiles(): string[] {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(PACKAGE_ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'build') walk(path)
      } else if (/\.(cc|h|gyp)$/.test(entry.name)) {
        files.push(path)
      }
    }
  }
  walk(ADDON_DIR)
  walk('src-native')
  return files.sort()
}

function hasTool(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0
}

/** Node's headers for node-gyp's --nodedir, or Unavailable: node-gyp must not download them. */
function nodeDir(): string {
  const configured = (value: string | undefined) => (value && !['undefined', 'null'].includes(value) ? value : null)
  const fromEnv = configured(process.env.npm_config_nodedir)
  if (fromEnv) return fromEnv
  const npm = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8', env: childEnv() })
  const fromNpm = configured(npm.status === 0 ? npm.stdout.trim() : undefined)
  if (fromNpm) return fromNpm
  const prefix = dirname(dirname(process.execPath))
  if (existsSync(join(prefix, 'include', 'node', 'node.h'))) return prefix
  throw new Unavailable(`no Node headers (no nodedir configured and no ${join(prefix, 'include', 'node', 'node.h')}; apt-get install libnode-dev, or npm config set nodedir)`)
}

/** The environment of node-gyp and npm: without tap's loaders and coverage. */
function childEnv(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, NODE_V8_COVERAGE: _coverage, ...env } = process.env
  // The snapshot's binding.gyp runs `require('node-addon-api')`: found from the cache
  // inside node_modules anyway, and from anywhere with this.
  return { ...env, NODE_PATH: join(PACKAGE_ROOT, 'node_modules') }
}

// ---- building, once ----------------------------------------------------------------

function buildCached(): { path: string; seconds: number | null } {
  const nodedir = nodeDir()
  const files = sourceFiles()
  const require = createRequire(join(PACKAGE_ROOT, 'package.json'))
  const napiVersion = (require('node-addon-api/package.json') as { version: string }).version
  const hash = createHash('sha256')
  hash.update(JSON.stringify({ node: process.version, arch: process.arch, nodedir, napiVersion }))
  // The compiler and flags node-gyp's make takes from the environment (sanitizers, say).
  for (const name of ['CC', 'CXX', 'CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'LDFLAGS']) hash.update(`${name}=${process.env[name] ?? ''}\0`)
  const contents = new Map(files.map((f) => [f, readFileSync(join(PACKAGE_ROOT, f))]))
  for (const [file, bytes] of contents) {
    hash.update(`${file}\0`)
    hash.update(bytes)
    hash.update('\0')
  }
  const key = hash.digest('hex').slice(0, 16)
  const done = join(CACHE, key)
  const addon = join(done, `${TARGET}.node`)
  if (existsSync(addon)) return { path: addon, seconds: null }

  for (const [tool, install] of [[process.env.CXX || 'g++', 'g++'], ['make', 'make'], [process.env.PYTHON || 'python3', 'python3']] as const) {
    if (!hasTool(tool)) throw new Unavailable(`${tool} is not installed (apt-get install ${install})`)
  }
  mkdirSync(CACHE, { recursive: true })
  const lock = join(CACHE, `${key}.lock`)
  const deadline = Date.now() + WAIT_MS
  while (!tryLock(lock)) {
    if (existsSync(addon)) return { path: addon, seconds: null }
    if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS / 1000} s for another process's build of the parser test addon (${lock})`)
    sleep(250)
  }
  try {
    // Another process may have finished between our look and our lock.
    if (existsSync(addon)) return { path: addon, seconds: null }
    const started = process.hrtime.bigint()
    build(key, contents, nodedir, done)
    return { path: addon, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
  } finally {
    rmSync(lock, { force: true })
  }
}

/**
 * Builds in <key>.build-<pid>/ from a snapshot of the sources (the bytes hashed, so
 * an edit during the build cannot be filed under the wrong key), then renames the
 * directory with only the .node and the log to <key>/.
 */
function build(key: string, contents: Map<string, Buffer>, nodedir: string, done: string): void {
  const work = join(CACHE, `${key}.build-${process.pid}`)
  rmSync(work, { recursive: true, force: true })
  try {
    const tree = join(work, 'tree')
    for (const [file, bytes] of contents) {
      mkdirSync(dirname(join(tree, file)), { recursive: true })
      writeFileSync(join(tree, file), bytes)
    }
    const gyp = createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('node-gyp/bin/node-gyp.js')
    const run = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], {
      cwd: join(tree, ADDON_DIR),
      env: childEnv(),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
    const log = `${run.stdout ?? ''}${run.stderr ?? ''}`
    const binary = join(tree, ADDON_DIR, 'build', 'Release', `${TARGET}.node`)
    if (run.status !== 0 || !existsSync(binary)) {
      const failedLog = join(CACHE, `${key}.failed.log`)
      writeFileSync(failedLog, log)
      const tail = log.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('gyp info')).slice(-40).join('\n')
      throw new Error(`node-gyp rebuild of the parser test addon failed (exit ${run.status}${run.error ? `, ${run.error.message}` : ''}; whole log: ${relative(PACKAGE_ROOT, failedLog)}):\n${tail}`)
    }
    const out = join(work, 'out')
    mkdirSync(out)
    copyFileSync(binary, join(out, `${TARGET}.node`))
    writeFileSync(join(out, 'build.log'), log)
    try {
      renameSync(out, done)
    } catch (error) {
      // Someone else's finished build is already there (a lock taken over as stale): use it.
      if (!existsSync(join(done, `${TARGET}.node`))) throw error
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** Creates `lock` holding this pid; false while a live process holds it. A dead holder's or a stale lock is removed. */
function tryLock(lock: string): boolean {
  try {
    const fd = openSync(lock, 'wx')
    writeSync(fd, String(process.pid))
    closeSync(fd)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  let holder = 0
  let age = 0
  try {
    holder = Number.parseInt(readFileSync(lock, 'utf8'), 10)
    age = Date.now() - statSync(lock).mtimeMs
  } catch {
    return false // released meanwhile: try again on the next round
  }
  if (age > STALE_LOCK_MS || (holder > 0 && !alive(holder))) rmSync(lock, { force: true })
  return false
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

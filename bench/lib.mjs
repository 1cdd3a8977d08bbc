// Shared pieces of the benchmarks: the socket farm, timing, medians, the report.
import { spawn, spawnSync, execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, existsSync, openSync } from 'node:fs'
import { cpus, totalmem, release } from 'node:os'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const BUILD = `${ROOT}bench/.build`
/** Pairs per farm process: 2 fds a pair, under the 20,000-fd limit of one process. */
const PAIRS_PER_PROCESS = 9000

/** Starts farms holding about `sockets` established loopback sockets; resolves when all are up. */
export async function startFarm(sockets) {
  const pairs = Math.ceil(sockets / 2)
  const processes = Math.ceil(pairs / PAIRS_PER_PROCESS)
  const farms = []
  for (let i = 0; i < processes; i++) {
    const n = Math.min(PAIRS_PER_PROCESS, pairs - i * PAIRS_PER_PROCESS)
    const child = spawn('python3', [`${ROOT}bench/farm.py`, String(n), `127.0.1.${i + 1}`], { stdio: ['pipe', 'pipe', 'inherit'] })
    farms.push(
      new Promise((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }))
        child.once('exit', (code) => reject(new Error(`farm ${i} exited with ${code} before it was ready`)))
      }),
    )
  }
  const ready = await Promise.all(farms)
  return {
    sockets: ready.reduce((n, f) => n + f.sockets, 0),
    processes: ready.length,
    ports: ready.map((f) => f.port),
    stop: () => ready.forEach((f) => f.child.stdin.end()),
  }
}

/** Compiles a C program of bench/ once into bench/.build/. */
export function buildC(name) {
  mkdirSync(BUILD, { recursive: true })
  const out = `${BUILD}/${name}`
  execFileSync('cc', ['-O2', '-Wall', '-o', out, `${ROOT}bench/${name}.c`], { stdio: 'inherit' })
  return out
}

/**
 * Wall time of one run of a command, stdout to /dev/null (as `cmd > /dev/null`), and
 * its peak RSS (through /usr/bin/time when it exists; its own fork costs about a ms).
 */
export function timeCommand(command, args) {
  const devnull = openSync('/dev/null', 'w')
  const rssFile = `${BUILD}/rss.txt`
  const wrap = existsSync('/usr/bin/time')
  if (wrap) mkdirSync(BUILD, { recursive: true })
  const start = process.hrtime.bigint()
  const r = wrap
    ? spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...args], { stdio: ['ignore', devnull, 'inherit'] })
    : spawnSync(command, args, { stdio: ['ignore', devnull, 'inherit'] })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal})`)
  const maxRssMB = wrap ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : null
  return { ms, maxRssMB }
}

/** Runs bench/measure.mjs in a fresh Node process: one warm-up, then a timed listing (extra: { kind, warm }). */
export function timeListing(query, extra = {}) {
  const r = spawnSync(process.execPath, [`${ROOT}bench/measure.mjs`, JSON.stringify({ query, ...extra })], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  if (r.status !== 0) throw new Error(`measure.mjs failed (${r.status ?? r.signal})`)
  return JSON.parse(r.stdout)
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const ssVersion = spawnSync('ss', ['-V'], { encoding: 'utf8' }).stdout.trim()
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}, ${ssVersion}`
}

/** Replaces the section between `<!-- bench:NAME -->` markers of docs/performance.md. */
export function writeSection(name, markdown) {
  const file = `${ROOT}docs/performance.md`
  const begin = `<!-- bench:${name}:begin -->`
  const end = `<!-- bench:${name}:end -->`
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n'
  const block = `${begin}\n${markdown.trim()}\n${end}`
  const at = doc.indexOf(begin)
  doc = at === -1 ? `${doc.trimEnd()}\n\n${block}\n` : doc.slice(0, at) + block + doc.slice(doc.indexOf(end) + end.length)
  writeFileSync(file, doc)
}

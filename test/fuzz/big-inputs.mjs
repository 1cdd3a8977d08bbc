#!/usr/bin/env node
// Measures the time and memory parseKnetstat (and a replay of files) takes to reject
// big hostile inputs; test/text/big-inputs.test.ts asserts the outcomes without timing.
// Each case runs in its own process, so that peak RSS is its own.
//
//   npm run build && node test/fuzz/big-inputs.mjs            all cases, a table
//   node test/fuzz/big-inputs.mjs --dist /tmp/old/dist         another build (e.g. before a change)
//   node test/fuzz/big-inputs.mjs --case nul-100mb             one case, JSON
//
// Parse time excludes making the input; "heap" is V8's heap growth during the parse
// (external strings and buffers aside); "peak RSS" is the process's, input included.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const MB = 1024 * 1024
const TCP = 'Recv-Q Send-Q Local Address           Foreign Address         Stat Diag Options\n'
const VALID = '     0      0 127.0.0.1:22            127.0.0.1:5000          ESTB      SO_REUSEADDR=1\n'
const BAD = '     0      0 127.0.0.1:22            127.0.0.1:5000          NOPE\n'

/** name -> [what, make the input]. Inputs are flat strings (made through a Buffer). */
const CASES = {
  'nul-100mb': ['100 MB of NUL', () => Buffer.alloc(100 * MB).toString('latin1')],
  'line-50mb': ['header + one 50 MB line', () => TCP + Buffer.alloc(50 * MB, 'x').toString('latin1')],
  'tokens-50mb': ['header + one 50 MB line of 25M tokens', () => TCP + Buffer.alloc(50 * MB, 'x ').toString('latin1')],
  'emoji-220mb': ['220 MB of U+1F600 (two-byte string)', () => Buffer.alloc(220 * MB, '😀', 'utf16le').toString('utf16le')],
  'short-bad-1m': ['header + 1M bad short lines', () => TCP + Buffer.alloc(2 * 1_000_000, 'x\n').toString('latin1')],
  'valid-1m-then-bad': ['header + 1M valid lines + a bad one', () => TCP + Buffer.alloc(VALID.length * 1_000_000, VALID).toString('latin1') + BAD],
}
const FILE_CASES = {
  'file-nul-100mb': ['a 100 MB sparse tcpstat (truncate)', (dir) => execFileSync('truncate', ['-s', '100M', join(dir, 'tcpstat')])],
  'file-line-50mb': ['a tcpstat with a 50 MB line', (dir) => writeFileSync(join(dir, 'tcpstat'), TCP + 'x'.repeat(50 * MB))],
  'file-sparse-200g': ['a 200 GB sparse tcpstat', (dir) => execFileSync('truncate', ['-s', '200G', join(dir, 'tcpstat')])],
}

const args = process.argv.slice(2)
const option = (name) => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const dist = resolve(option('--dist') ?? fileURLToPath(new URL('../../dist', import.meta.url)))
const only = option('--case')

if (only !== undefined) {
  console.log(JSON.stringify(await runCase(only)))
} else {
  console.log(`dist: ${dist}`)
  console.log('case                 | input                                   | result                                     | parse ms | heap MB | peak RSS MB')
  for (const name of [...Object.keys(CASES), ...Object.keys(FILE_CASES)]) {
    let r
    try {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--dist', dist, '--case', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      r = JSON.parse(out.trim().split('\n').pop())
    } catch (e) {
      r = { what: (CASES[name] ?? FILE_CASES[name])[0], result: `process died: ${String(e.stderr ?? e.message).split('\n').find((l) => /heap|Error|memory/.test(l)) ?? e.status}`, ms: NaN, heapMB: NaN, rssMB: NaN }
    }
    console.log(`${name.padEnd(20)} | ${r.what.padEnd(39)} | ${r.result.slice(0, 42).padEnd(42)} | ${fmt(r.ms, 8)} | ${fmt(r.heapMB, 7)} | ${fmt(r.rssMB, 11)}`)
  }
}

function fmt(n, width) {
  return (Number.isNaN(n) ? '-' : n.toFixed(0)).padStart(width)
}

async function runCase(name) {
  const { parseKnetstat, listSockets } = await import(pathToFileURL(join(dist, 'index.js')).href)
  let what
  let run
  let cleanup = () => undefined
  if (CASES[name] !== undefined) {
    const [w, make] = CASES[name]
    what = w
    const text = make()
    text.charCodeAt(0) // flattens a concatenation now, so its copy is not timed as parsing
    run = async () => parseKnetstat(text)
  } else {
    const [w, make] = FILE_CASES[name]
    what = w
    const dir = mkdtempSync(join(tmpdir(), 'knetstat-big-'))
    make(dir)
    cleanup = () => rmSync(dir, { recursive: true, force: true })
    run = () => listSockets({ procNet: dir })
  }
  globalThis.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const started = process.hrtime.bigint()
  let result
  try {
    await run()
    result = 'parsed'
  } catch (e) {
    result = e.name === 'KnetstatParseError' ? `${e.name} line ${e.line}` : `${e.name}${e.code ? ` ${e.code}` : ''}`
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / MB
  cleanup()
  return { what, result, ms, heapMB, rssMB: process.resourceUsage().maxRSS / 1024 }
}

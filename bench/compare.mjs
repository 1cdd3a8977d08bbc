// This checkout against an earlier revision, on one farm, interleaved: whether a
// change made listings slower, on this machine, in this run. Ratios against `ss`
// move from machine to machine; this comparison does not depend on the machine.
//
// usage: npm run build && node bench/compare.mjs --base REV [--sockets 100000] [--rounds 5] [--warm 2] [--write]
//   --base REV   the revision to compare with (a commit, tag or branch); it is checked
//                out into a temporary git worktree, installed (its committed prebuild)
//                and built there, then removed
//   --write      puts the table into docs/performance.md
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { machine, median, ROOT, startFarm, writeSection } from './lib.mjs'

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    sockets: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '5' },
    warm: { type: 'string', default: '2' },
    write: { type: 'boolean', default: false },
  },
})
if (values.base === undefined) {
  console.error('compare.mjs: --base REV is required (the revision to compare with)')
  process.exit(2)
}
const rounds = Number(values.rounds)
const warm = Number(values.warm)

const git = (...args) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim()
const baseCommit = git('rev-parse', '--short', `${values.base}^{commit}`)
const headCommit = git('rev-parse', '--short', 'HEAD')
const dirty = git('status', '--porcelain', '--untracked-files=no') !== ''

const work = mkdtempSync(join(tmpdir(), 'knetstat-compare-'))
const baseRoot = join(work, 'base')
git('worktree', 'add', '--detach', baseRoot, baseCommit)
let farm
try {
  console.error(`compare: installing and building ${baseCommit} in ${baseRoot}`)
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: baseRoot, stdio: ['ignore', 'ignore', 'inherit'] })
  execFileSync('npm', ['run', 'build'], { cwd: baseRoot, stdio: ['ignore', 'ignore', 'inherit'] })

  farm = await startFarm(Number(values.sockets))
  const queries = [
    { proto: 'tcp', tcpInfo: false, options: false },
    { proto: 'tcp', options: false },
    { proto: 'tcp', options: false, processes: true },
    { proto: 'tcp', options: 'pidfd' },
  ]
  const roots = { base: `${baseRoot}/`, head: ROOT }
  const times = queries.map(() => ({ base: [], head: [] }))
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first, so a slow moment does not always hit the same side.
    const order = round % 2 === 0 ? ['base', 'head'] : ['head', 'base']
    queries.forEach((query, i) => {
      for (const side of order) {
        const run = spawnSync(process.execPath, [`${roots[side]}bench/measure.mjs`, JSON.stringify({ query, warm })], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        })
        if (run.status !== 0) throw new Error(`measure.mjs of ${side} failed (${run.status ?? run.signal})`)
        times[i][side].push(JSON.parse(run.stdout).ms)
      }
    })
  }
  const rows = queries.map((query, i) => {
    const base = median(times[i].base)
    const head = median(times[i].head)
    return `| listSockets(${JSON.stringify(query)}) | ${base.toFixed(1)} | ${head.toFixed(1)} | ${(head / base).toFixed(2)}× |`
  })
  const report = [
    `### ${headCommit}${dirty ? ' (with uncommitted changes)' : ''} against ${baseCommit}, ${farm.sockets} sockets`,
    '',
    `Machine: ${machine()}; shared with other jobs while measured.`,
    `Command: \`npm run build && node bench/compare.mjs --base ${values.base} --sockets ${values.sockets} --rounds ${rounds} --warm ${warm}\``,
    `(medians of ${rounds} rounds, the two sides interleaved on one farm, each run in a fresh Node process after ${warm} warm-ups).`,
    '',
    `| what | ${baseCommit} ms | ${headCommit} ms | ${headCommit} / ${baseCommit} |`,
    '|---|---:|---:|---:|',
    ...rows,
  ].join('\n')
  console.log(report)
  if (values.write) writeSection('compare', report)
} finally {
  farm?.stop()
  git('worktree', 'remove', '--force', baseRoot)
  rmSync(work, { recursive: true, force: true })
}
process.exit(0)

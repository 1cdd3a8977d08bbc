#!/usr/bin/env node
// The knetstat command: parse, dispatch, exit codes (0 ok, 1 failure, 2 usage, 3 a check that cannot tell).
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { runCheck } from '../health/check.js'
import { normalizeCheck, type NormalizedCheck } from '../health/check-spec.js'
import type { CheckResult } from '../health/evaluate.js'
import { listSockets } from '../list.js'
import type { SocketEntry } from '../model.js'
import { normalizeQuery, type ListQuery } from '../query.js'
import { recordTables } from '../record.js'
import { TABLE_FILES } from '../text/files.js'
import { optionsQuery, parseArgs, UsageError, type Args, type CheckArgs, type EndpointFilters, type Filters, type ListArgs } from './args.js'
import { wantsColor } from './color.js'
import { withProgress } from './progress.js'
import { renderJson, renderNdjson, renderText, type RenderOptions } from './render.js'
import { readCongestionDefault } from './shown-options.js'
import { renderTableText, type TableChoice } from './table-view.js'
import { TableFrames } from './watch-table.js'
import { CHECK_EXIT, renderCheck, renderCheckError, renderCheckJson } from './check-output.js'
import { HELP, USAGE_LINE } from './usage.js'
import { forTerminal } from './terminal.js'
import { WatchFrames } from './watch.js'

function query(filters: Filters & Partial<EndpointFilters>, extra: ListQuery = {}): ListQuery {
  const q: ListQuery = { options: optionsQuery(filters.source), ...extra }
  if (filters.protos !== undefined) q.proto = filters.protos
  if (filters.families !== undefined) q.family = filters.families
  if (filters.states !== undefined) q.state = filters.states
  if (filters.ports !== undefined) q.port = filters.ports
  // The listing's own conditions go to the library as they are: its filter is the one rule.
  if (filters.localPorts !== undefined) q.localPort = filters.localPorts
  if (filters.remotePorts !== undefined) q.remotePort = filters.remotePorts
  if (filters.addresses !== undefined) q.address = filters.addresses
  if (filters.localAddresses !== undefined) q.localAddress = filters.localAddresses
  if (filters.remoteAddresses !== undefined) q.remoteAddress = filters.remoteAddresses
  if (filters.procNet !== undefined) {
    const { procNet: path, maxRecordingBytes } = filters
    q.procNet = maxRecordingBytes === undefined ? path : { path, maxRecordingBytes }
  }
  if (filters.netns !== undefined) {
    q.netns = filters.netns
    // A namespace that cannot be read does not stop the others: it is said on stderr.
    q.onNetnsError = (error) => process.stderr.write(forTerminal(`knetstat: ${error.message}\n`))
  }
  // Checked as listSockets will check it: a query it refuses (too many ports for the
  // kernel filter) is the user's to fix, a usage error.
  try {
    normalizeQuery(q)
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message.replace(/^listSockets: /, ''))
    throw error
  }
  return q
}

/** Why some sockets have no options: one line per reason worth acting on. */
function optionsSummary(entries: readonly SocketEntry[]): string {
  const byCode = new Map<string, { count: number; message: string }>()
  for (const e of entries) {
    const error = e.optionsError
    // No file (TIME_WAIT, requests) or no holder at all: nothing the user can change.
    if (error === undefined || error.code === 'ENOENT' || error.code === 'ESRCH') continue
    const seen = byCode.get(error.code)
    if (seen === undefined) byCode.set(error.code, { count: 1, message: error.message })
    else seen.count++
  }
  let out = ''
  for (const [code, { count, message }] of byCode) {
    out += `knetstat: no options for ${count} socket${count === 1 ? '' : 's'} (${code}), e.g.: ${message}\n`
  }
  return out
}

async function list(args: ListArgs): Promise<number> {
  const q = query(args, { ...(args.processes ? { processes: true } : {}), ...(args.cgroup ? { cgroup: true } : {}) })
  const tty = process.stdout.isTTY === true
  // The table is for a person at a terminal; files, pipes and tools get the module's text.
  const format = args.format ?? (tty ? 'table' : 'knetstat')
  const color = wantsColor(args.color, process.env, tty)
  const tables = TABLE_FILES.filter(
    (t) => (args.protos?.includes(t.proto) ?? true) && (args.families?.includes(t.family) ?? true),
  )
  const text: RenderOptions = { processes: args.processes, netns: args.netns !== undefined, cgroup: args.cgroup, extended: args.extended, color, tables }
  const table: TableChoice = {
    processes: args.processes,
    netns: args.netns !== undefined,
    cgroup: args.cgroup,
    extended: args.extended,
    options: { all: args.allOptions, congestionDefault: format === 'table' ? readCongestionDefault() : null },
    color,
    width: tty ? process.stdout.columns ?? null : null,
  }
  if (args.watch !== null) {
    if (format === 'table') return watchTable(q, args.watch, new TableFrames(table))
    return watch(q, args.watch, new WatchFrames(text))
  }
  const entries = await withProgress(process.stderr, () => listSockets(q))
  if (format === 'json') process.stdout.write(renderJson(entries, args.extended))
  else if (format === 'ndjson') process.stdout.write(renderNdjson(entries, args.extended))
  else if (format === 'table') process.stdout.write(renderTableText(entries, table))
  else process.stdout.write(renderText(entries, text))
  process.stderr.write(forTerminal(optionsSummary(entries)))
  return 0
}

/** Calls `frame` every `seconds` until Ctrl-C. */
async function everyFew(seconds: number, frame: (title: string) => Promise<void>): Promise<number> {
  let stop = false
  process.once('SIGINT', () => {
    stop = true
  })
  while (!stop) {
    await frame(`knetstat --watch ${seconds}s  ${new Date().toLocaleTimeString()}`)
    await sleep(seconds * 1000)
  }
  return 0
}

/** --watch in knetstat text: on a terminal each frame replaces the last, in a pipe they follow each other. */
function watch(q: ListQuery, seconds: number, frames: WatchFrames): Promise<number> {
  const tty = process.stdout.isTTY === true
  return everyFew(seconds, async (title) => {
    const frame = frames.next(await listSockets(q), title)
    // On a terminal: home the cursor and clear, so each frame replaces the last.
    process.stdout.write(tty ? `\x1b[H\x1b[2J${frame.text}` : `${frame.text}\n`)
  })
}

/** --watch as a table that fits the window: read its size at each frame, as it may change. */
function watchTable(q: ListQuery, seconds: number, frames: TableFrames): Promise<number> {
  const tty = process.stdout.isTTY === true
  return everyFew(seconds, async (title) => {
    const entries = await listSockets(q)
    if (tty) frames.resize(process.stdout.columns ?? null)
    const frame = frames.next(entries, title, tty ? process.stdout.rows ?? null : null)
    process.stdout.write(tty ? `\x1b[H\x1b[2J${frame.text}` : `${frame.text}\n\n`)
  })
}

async function check(args: CheckArgs): Promise<number> {
  let normalized: NormalizedCheck
  try {
    normalized = normalizeCheck(args.check, 'check')
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message.replace(/^check: /, ''))
    throw error
  }
  let result: CheckResult
  try {
    result = await runCheck(normalized, listSockets)
  } catch (error) {
    process.stdout.write(renderCheckError(error, args.json))
    return CHECK_EXIT.unknown
  }
  process.stdout.write(args.json ? renderCheckJson(result) : renderCheck(result))
  return CHECK_EXIT[result.status]
}

async function record(dir: string): Promise<number> {
  const result = await recordTables(dir)
  const from = result.source === 'module' ? "the kernel module's files" : 'a listing (netlink, options from bpf or pidfd)'
  process.stdout.write(forTerminal(`knetstat record: wrote ${result.sockets} sockets from ${from} to ${result.files.join(', ')}\n`))
  return 0
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    return await run(parseArgs(argv))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${forTerminal(`knetstat: ${error.message}`)}\n${USAGE_LINE}`)
    return 2
  }
}

async function run(args: Args): Promise<number> {
  switch (args.command) {
    case 'help':
      process.stdout.write(HELP)
      return 0
    case 'version':
      process.stdout.write(`knetstat ${version()}\n`)
      return 0
    case 'record':
      return record(args.dir)
    case 'check':
      return check(args)
    case 'list':
      return list(args)
  }
}

// `knetstat | head`: a closed pipe ends the output, it is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`${forTerminal(`knetstat: ${message}`)}\n`)
    process.exitCode = 1
  },
)

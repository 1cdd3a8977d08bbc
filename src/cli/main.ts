#!/usr/bin/env node
// The knetstat command: the host's sockets in the knetstat text format, with the
// options each process set (read through pidfd where permitted) and, with -p, the
// processes holding each socket.
import { listSockets } from '../list.js'
import type { SocketEntry } from '../model.js'
import { formatKnetstat } from '../text/format.js'
import { formatTables, TABLES } from './tables.js'

const USAGE = `Usage: knetstat [-p] [--no-options]

Prints every TCP and UDP socket as the knetstat kernel module's
/proc/net/{tcp,tcp6,udp,udp6}stat files do, with the socket options its process set.

  -p, --processes   append the processes holding each socket: users:(("command",pid=N,fd=N),...)
  --no-options      do not read options (netlink only; no ptrace permission needed)
  -h, --help        show this help

Options are read with pidfd_getfd + getsockopt from processes you may ptrace (your
own; every process as root or with CAP_SYS_PTRACE). Sockets whose options could not
be read have none on their line; a summary of why goes to stderr.
`

interface Args {
  processes: boolean
  options: boolean
  help: boolean
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { processes: false, options: true, help: false }
  for (const arg of argv) {
    if (arg === '-p' || arg === '--processes') args.processes = true
    else if (arg === '--no-options') args.options = false
    else if (arg === '-h' || arg === '--help') args.help = true
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`)
  }
  return args
}

class UsageError extends Error {}

function users(entry: SocketEntry): string {
  const holders = entry.processes ?? []
  if (holders.length === 0) return ''
  return ` users:(${holders.map((h) => `(${JSON.stringify(h.command)},pid=${h.pid},fd=${h.fd})`).join(',')})`
}

/** The tables with each socket line followed by its holders. */
function formatWithProcesses(entries: readonly SocketEntry[]): string {
  let out = ''
  for (const { proto, family } of TABLES) {
    const table = entries.filter((e) => e.proto === proto && e.family === family)
    const lines = formatKnetstat(table, { proto }).split('\n')
    out += lines[0] + '\n'
    table.forEach((entry, i) => {
      out += lines[i + 1] + users(entry) + '\n'
    })
  }
  return out
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

async function main(argv: readonly string[]): Promise<number> {
  let args: Args
  try {
    args = parseArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`knetstat: ${error.message}\n${USAGE}`)
    return 2
  }
  if (args.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const entries = await listSockets({ options: args.options ? 'auto' : false, processes: args.processes })
  process.stdout.write(args.processes ? formatWithProcesses(entries) : formatTables(entries))
  process.stderr.write(optionsSummary(entries))
  return 0
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
    process.stderr.write(`knetstat: ${message}\n`)
    process.exitCode = 1
  },
)

// The command line: flags people bring from ss and netstat (-t -u -4 -6 -l -a -n -p -e,
// clustered as in `-tanp`), long options, and the check and record subcommands.
import { TCP_STATES, type Family, type Proto, type TcpState } from '../model.js'
import type { OptionValue } from '../health/expect.js'
import { parseExpectation } from '../health/expect.js'
import { PROC_NET_ENV, type OptionsQuery, type PortMatch } from '../query.js'

/** A usage error: exit code 2, with the usage line. */
export class UsageError extends Error {}

export type Source = 'auto' | 'module' | 'pidfd' | 'netlink'

export interface Filters {
  protos: Proto[] | undefined
  families: Family[] | undefined
  states: TcpState[] | undefined
  ports: PortMatch[] | undefined
  source: Source
  procNet: string | undefined
  /** The size limit of each recorded file (--max-recording-bytes); undefined: the library's default. */
  maxRecordingBytes: number | undefined
}

export interface ListArgs extends Filters {
  command: 'list'
  processes: boolean
  extended: boolean
  format: 'text' | 'json' | 'ndjson'
  /** Seconds between refreshes; null: print once. */
  watch: number | null
}

export interface CheckArgs extends Filters {
  command: 'check'
  expect: [string, OptionValue][]
  noStalled: boolean
}

export interface RecordArgs {
  command: 'record'
  dir: string
}

export type Args = ListArgs | CheckArgs | RecordArgs | { command: 'help' } | { command: 'version' }

const SHORT_FLAGS = new Set(['t', 'u', '4', '6', 'l', 'a', 'n', 'p', 'e', 'h', 'V'])

/** Splits `-tanp` into `-t -a -n -p` and `--opt=value` into `--opt value`. */
function expand(argv: readonly string[]): string[] {
  const out: string[] = []
  for (const arg of argv) {
    if (/^-[^-]{2,}$/.test(arg)) {
      for (const c of arg.slice(1)) {
        if (!SHORT_FLAGS.has(c)) throw new UsageError(`unknown flag -${c} in ${arg}`)
        out.push(`-${c}`)
      }
    } else if (/^--[^=]+=/.test(arg)) {
      const eq = arg.indexOf('=')
      out.push(arg.slice(0, eq), arg.slice(eq + 1))
    } else out.push(arg)
  }
  return out
}

export function parseArgs(argv: readonly string[]): Args {
  let rest = [...argv]
  let command: 'list' | 'check' | 'record' = 'list'
  if (rest[0] === 'check' || rest[0] === 'record') command = rest.shift() as 'check' | 'record'
  rest = expand(rest)

  if (command === 'record') {
    if (rest.includes('-h') || rest.includes('--help')) return { command: 'help' }
    const dirs = rest.filter((a) => !a.startsWith('-') || a === '-')
    const flags = rest.filter((a) => a.startsWith('-') && a !== '-')
    if (flags.length > 0) throw new UsageError(`record takes no option ${flags[0]}`)
    if (dirs.length !== 1) throw new UsageError('record needs exactly one directory: knetstat record DIR')
    return { command: 'record', dir: dirs[0] as string }
  }

  const protos = new Set<Proto>()
  const families = new Set<Family>()
  let states: TcpState[] | undefined
  let listening = false
  let ports: PortMatch[] | undefined
  let source: Source = 'auto'
  let procNet: string | undefined
  let maxRecordingBytes: number | undefined
  let processes = false
  let extended = false
  let format: ListArgs['format'] = 'text'
  let watch: number | null = null
  const expect: [string, OptionValue][] = []
  let noStalled = false

  const value = (flag: string): string => {
    const v = rest.shift()
    if (v === undefined || (v.startsWith('-') && v.length > 1)) throw new UsageError(`${flag} needs a value`)
    return v
  }
  const listOnly = (flag: string): void => {
    if (command !== 'list') throw new UsageError(`${flag} is not an option of check`)
  }
  const checkOnly = (flag: string): void => {
    if (command !== 'check') throw new UsageError(`${flag} is an option of knetstat check`)
  }

  while (rest.length > 0) {
    const arg = rest.shift() as string
    switch (arg) {
      case '-t': case '--tcp': protos.add('tcp'); break
      case '-u': case '--udp': protos.add('udp'); break
      case '-4': case '--ipv4': families.add(4); break
      case '-6': case '--ipv6': families.add(6); break
      case '-l': case '--listening': listening = true; break
      case '-a': case '--all': case '-n': case '--numeric': break // all sockets and numeric output are the default
      case '-p': case '--processes': listOnly(arg); processes = true; break
      case '-e': case '--extended': listOnly(arg); extended = true; break
      case '--json': listOnly(arg); format = oneFormat(format, 'json'); break
      case '--ndjson': listOnly(arg); format = oneFormat(format, 'ndjson'); break
      case '--watch': {
        listOnly(arg)
        watch = 2
        if (rest[0] !== undefined && /^[0-9.]+$/.test(rest[0])) watch = seconds(rest.shift() as string)
        break
      }
      case '--state': states = [...(states ?? []), ...value(arg).split(',').map(state)]; break
      case '--port': ports = [...(ports ?? []), ...value(arg).split(',').map(port)]; break
      case '--source': source = sourceName(value(arg)); break
      case '--no-options': source = 'netlink'; break
      case '--proc-net': procNet = recording(value(arg)); break
      case '--max-recording-bytes': maxRecordingBytes = bytes(arg, value(arg)); break
      case '--expect': checkOnly(arg); expect.push(expectation(value(arg))); break
      case '--no-stalled': checkOnly(arg); noStalled = true; break
      case '-h': case '--help': return { command: 'help' }
      case '-V': case '--version': return { command: 'version' }
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown option ${arg}` : `unexpected argument ${JSON.stringify(arg)}`)
    }
  }

  if (listening) {
    if (states !== undefined) throw new UsageError('use either -l or --state, not both')
    // TCP listeners, and UDP sockets with no peer (ss shows those as listening too).
    states = ['LISTEN', 'CLOSE']
  }
  // KNETSTAT_PROC_NET names the recording as --proc-net does.
  procNet ??= process.env[PROC_NET_ENV] || undefined
  if (procNet !== undefined && (source === 'pidfd' || processes)) {
    throw new UsageError('--proc-net replays a recording: it has no processes to read options or holders from')
  }
  if (maxRecordingBytes !== undefined && procNet === undefined) {
    throw new UsageError('--max-recording-bytes limits the files of a recording: give --proc-net DIR (or KNETSTAT_PROC_NET) too')
  }
  const filters: Filters = {
    protos: protos.size === 0 ? undefined : [...protos],
    families: families.size === 0 ? undefined : [...families],
    states,
    ports,
    source,
    procNet,
    maxRecordingBytes,
  }
  if (command === 'check') {
    if (expect.length === 0 && !noStalled) throw new UsageError('check needs something to check: --expect NAME=value or --no-stalled')
    return { command, ...filters, expect, noStalled }
  }
  if (watch !== null && format !== 'text') throw new UsageError('--watch redraws the text table; it cannot be combined with --json or --ndjson')
  return { command, ...filters, processes, extended, format, watch }
}

function oneFormat(format: ListArgs['format'], wanted: 'json' | 'ndjson'): ListArgs['format'] {
  if (format !== 'text' && format !== wanted) throw new UsageError('use either --json or --ndjson, not both')
  return wanted
}

function recording(dir: string): string {
  // An empty path would silently mean "no recording" further down: the live host.
  if (dir === '') throw new UsageError('--proc-net needs the directory of a recording, got an empty path')
  return dir
}

const BYTE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }

/** N bytes, or N with K, M or G (binary units, as in 512M). */
function bytes(flag: string, text: string): number {
  const m = /^([0-9]+)([KMG]?)(?:i?B)?$/i.exec(text.trim())
  const n = m === null ? NaN : Number(m[1]) * (BYTE_UNITS[(m[2] as string).toUpperCase()] as number)
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} ${JSON.stringify(text)}: give a size in bytes, such as 268435456 or 256M`)
  return n
}

function seconds(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0.1 || n > 86400) throw new UsageError(`--watch ${text}: give seconds between 0.1 and 86400`)
  return n
}

function state(text: string): TcpState {
  const name = text.trim().toUpperCase().replace(/-/g, '_')
  const aliases: Record<string, TcpState> = { LISTENING: 'LISTEN', ESTAB: 'ESTABLISHED', UNCONN: 'CLOSE', CLOSED: 'CLOSE' }
  const found = aliases[name] ?? TCP_STATES.find((s) => s === name)
  if (found === undefined) throw new UsageError(`unknown state ${JSON.stringify(text)}; use one of ${TCP_STATES.join(', ')}`)
  return found
}

function port(text: string): PortMatch {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(text.trim())
  const from = Number(m?.[1])
  const to = m?.[2] === undefined ? from : Number(m[2])
  if (m === null || from > 65535 || to > 65535 || from > to) throw new UsageError(`bad port ${JSON.stringify(text)}: give N or FROM-TO within 0-65535`)
  return from === to ? from : { from, to }
}

function sourceName(text: string): Source {
  if (text === 'auto' || text === 'module' || text === 'pidfd' || text === 'netlink') return text
  throw new UsageError(`unknown source ${JSON.stringify(text)}; use auto, module, pidfd or netlink`)
}

function expectation(text: string): [string, OptionValue] {
  try {
    return parseExpectation(text)
  } catch (error) {
    throw new UsageError(`--expect ${(error as Error).message}`)
  }
}

/** The listSockets options value of a --source. */
export function optionsQuery(source: Source): OptionsQuery {
  return source === 'netlink' ? false : source
}

// The command line: flags people bring from ss and netstat (-t -u -4 -6 -l -a -n -p -e,
// clustered as in `-tanp`), long options, and the check and record subcommands. Each
// option's value is read by its parser in values.ts.
import type { Family, Proto, TcpState } from '../model.js'
import type { SocketCheck } from '../health/check-spec.js'
import { PROC_NET_ENV, type OptionsQuery, type PortMatch } from '../query.js'
import { address, addressPrefix, backlog, bytes, colorMode, expectation, outputFormat, port, ratio, recording, seconds, sourceName, state, UsageError, type ColorMode, type Source } from './values.js'

export { UsageError, type ColorMode, type Source } from './values.js'

export interface Filters {
  protos: Proto[] | undefined
  families: Family[] | undefined
  states: TcpState[] | undefined
  ports: PortMatch[] | undefined
  source: Source
  procNet: string | undefined
  /** The size limit of each recorded file (--max-recording-bytes); undefined: the library's default. */
  maxRecordingBytes: number | undefined
  /** -N NAME|PATH|PID, or 'all' (--all-netns); undefined: the caller's namespace. */
  netns: string | number | undefined
}

/** The listing's own port and address conditions: the library query's fields of the same names. */
export interface EndpointFilters {
  localPorts: PortMatch[] | undefined
  remotePorts: PortMatch[] | undefined
  /** Local or remote address; text as given (an address or a network), checked by the library's parser. */
  addresses: string[] | undefined
  localAddresses: string[] | undefined
  remoteAddresses: string[] | undefined
}

export interface ListArgs extends Filters, EndpointFilters {
  command: 'list'
  processes: boolean
  /** --cgroup: each socket's cgroup and the container it names. */
  cgroup: boolean
  extended: boolean
  /** undefined: the table on a terminal, knetstat text anywhere else (docs/cli.md). */
  format: OutputFormat | undefined
  /** -O: every option the source reported, not only those the application set (the table). */
  allOptions: boolean
  color: ColorMode
  /** Seconds between refreshes; null: print once. */
  watch: number | null
}

export interface CheckArgs {
  command: 'check'
  /** The check, as checkSockets takes it. */
  check: SocketCheck
  json: boolean
}

export interface RecordArgs {
  command: 'record'
  dir: string
}

export type OutputFormat = 'table' | 'knetstat' | 'json' | 'ndjson'

export type Args = ListArgs | CheckArgs | RecordArgs | { command: 'help' } | { command: 'version' }

const SHORT_FLAGS = new Set(['t', 'u', '4', '6', 'l', 'a', 'n', 'p', 'e', 'O', 'h', 'V'])

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

type Command = 'list' | 'check' | 'record'

export function parseArgs(argv: readonly string[]): Args {
  const [command, rest] = subcommand(argv)
  if (command === 'record') return recordArgs(rest)
  const given = readOptions(command, rest)
  if ('command' in given) return given
  const filters = filtersOf(given)
  return command === 'check' ? checkArgs(filters, given) : listArgs(filters, given)
}

/** The subcommand (list when none is named) and the arguments after it, expanded. */
function subcommand(argv: readonly string[]): [Command, string[]] {
  const rest = [...argv]
  let command: Command = 'list'
  if (rest[0] === 'check' || rest[0] === 'record') command = rest.shift() as 'check' | 'record'
  return [command, expand(rest)]
}

function recordArgs(rest: readonly string[]): RecordArgs | { command: 'help' } {
  if (rest.includes('-h') || rest.includes('--help')) return { command: 'help' }
  const dirs = rest.filter((a) => !a.startsWith('-') || a === '-')
  const flags = rest.filter((a) => a.startsWith('-') && a !== '-')
  if (flags.length > 0) throw new UsageError(`record takes no option ${flags[0]}`)
  if (dirs.length !== 1) throw new UsageError('record needs exactly one directory: knetstat record DIR')
  return { command: 'record', dir: dirs[0] as string }
}

/** The options of list and check as the command line gives them, before they are combined. */
interface Given {
  protos: Set<Proto>
  families: Set<Family>
  states: TcpState[] | undefined
  listening: boolean
  ports: PortMatch[] | undefined
  endpoints: EndpointFilters
  source: Source
  procNet: string | undefined
  maxRecordingBytes: number | undefined
  netns: string | number | undefined
  processes: boolean
  cgroup: boolean
  extended: boolean
  format: OutputFormat | undefined
  allOptions: boolean
  color: ColorMode
  watch: number | null
  check: CheckGiven
}

/** The options only `check` has. */
interface CheckGiven {
  expect: string[]
  expectListener: string[]
  expectConnections: string[]
  noStalled: boolean
  address: string | undefined
  remotePort: number | undefined
  remoteAddress: string | undefined
  backlog: number | undefined
  nearlyFullRatio: number | undefined
}

/** Reads the options in order; -h and -V end the reading there. */
function readOptions(command: 'list' | 'check', rest: string[]): Given | { command: 'help' } | { command: 'version' } {
  const given: Given = {
    protos: new Set(),
    families: new Set(),
    states: undefined,
    listening: false,
    ports: undefined,
    endpoints: { localPorts: undefined, remotePorts: undefined, addresses: undefined, localAddresses: undefined, remoteAddresses: undefined },
    source: 'auto',
    procNet: undefined,
    maxRecordingBytes: undefined,
    netns: undefined,
    processes: false,
    cgroup: false,
    extended: false,
    format: undefined,
    allOptions: false,
    color: 'auto',
    watch: null,
    check: {
      expect: [],
      expectListener: [],
      expectConnections: [],
      noStalled: false,
      address: undefined,
      remotePort: undefined,
      remoteAddress: undefined,
      backlog: undefined,
      nearlyFullRatio: undefined,
    },
  }
  while (rest.length > 0) {
    const arg = rest.shift() as string
    if (arg === '-h' || arg === '--help') return { command: 'help' }
    if (arg === '-V' || arg === '--version') return { command: 'version' }
    const known =
      selectionOption(arg, rest, given) ||
      endpointOption(command, arg, rest, given.endpoints) ||
      sourceOption(arg, rest, given) ||
      outputOption(command, arg, rest, given) ||
      checkOption(command, arg, rest, given)
    if (!known) throw new UsageError(arg.startsWith('-') ? `unknown option ${arg}` : `unexpected argument ${JSON.stringify(arg)}`)
  }
  return given
}

/** The value of `flag`: the next argument, which may not be an option. */
function value(rest: string[], flag: string): string {
  const v = rest.shift()
  if (v === undefined || (v.startsWith('-') && v.length > 1)) throw new UsageError(`${flag} needs a value`)
  return v
}

/** Which sockets (list and check): whether `arg` is one of these options, read into `given`. */
function selectionOption(arg: string, rest: string[], given: Given): boolean {
  switch (arg) {
    case '-t': case '--tcp': given.protos.add('tcp'); return true
    case '-u': case '--udp': given.protos.add('udp'); return true
    case '-4': case '--ipv4': given.families.add(4); return true
    case '-6': case '--ipv6': given.families.add(6); return true
    case '-l': case '--listening': given.listening = true; return true
    case '-a': case '--all': case '-n': case '--numeric': return true // all sockets and numeric output are the default
    case '--state': given.states = [...(given.states ?? []), ...value(rest, arg).split(',').map(state)]; return true
    case '--port': given.ports = [...(given.ports ?? []), ...value(rest, arg).split(',').map(port)]; return true
    default: return false
  }
}

/**
 * The listing's port and address conditions, named after the library query's fields,
 * with ss's names beside them (--sport, --dport, --src, --dst). check reads its own
 * --address, --remote-port and --remote-address (a service's), so those fall through to it.
 */
function endpointOption(command: 'list' | 'check', arg: string, rest: string[], e: EndpointFilters): boolean {
  if (command === 'check' && (arg === '--address' || arg === '--remote-port' || arg === '--remote-address')) return false
  const ports = (): PortMatch[] => value(rest, arg).split(',').map(port)
  const prefixes = (): string[] => value(rest, arg).split(',').map((text) => addressPrefix(arg, text))
  switch (arg) {
    case '--local-port': case '--sport': listOnly(command, arg); e.localPorts = [...(e.localPorts ?? []), ...ports()]; return true
    case '--remote-port': case '--dport': listOnly(command, arg); e.remotePorts = [...(e.remotePorts ?? []), ...ports()]; return true
    case '--address': listOnly(command, arg); e.addresses = [...(e.addresses ?? []), ...prefixes()]; return true
    case '--local-address': case '--src': listOnly(command, arg); e.localAddresses = [...(e.localAddresses ?? []), ...prefixes()]; return true
    case '--remote-address': case '--dst': listOnly(command, arg); e.remoteAddresses = [...(e.remoteAddresses ?? []), ...prefixes()]; return true
    default: return false
  }
}

/** Where sockets and options come from (list and check). */
function sourceOption(arg: string, rest: string[], given: Given): boolean {
  switch (arg) {
    case '--source': given.source = sourceName(value(rest, arg)); return true
    case '--no-options': given.source = 'netlink'; return true
    case '--proc-net': given.procNet = recording(value(rest, arg)); return true
    case '--max-recording-bytes': given.maxRecordingBytes = bytes(arg, value(rest, arg)); return true
    case '-N': case '--netns': given.netns = oneNetns(given.netns, netnsValue(value(rest, arg))); return true
    case '--all-netns': given.netns = oneNetns(given.netns, 'all'); return true
    default: return false
  }
}

/** What a listing prints (list only). */
function outputOption(command: 'list' | 'check', arg: string, rest: string[], given: Given): boolean {
  switch (arg) {
    case '-p': case '--processes': listOnly(command, arg); given.processes = true; return true
    case '--cgroup': listOnly(command, arg); given.cgroup = true; return true
    case '-e': case '--extended': listOnly(command, arg); given.extended = true; return true
    case '--json': given.format = oneFormat(given.format, 'json'); return true
    case '--ndjson': listOnly(command, arg); given.format = oneFormat(given.format, 'ndjson'); return true
    case '--format': listOnly(command, arg); given.format = oneFormat(given.format, outputFormat(value(rest, arg))); return true
    case '-O': case '--all-options': listOnly(command, arg); given.allOptions = true; return true
    case '--color': case '--colour': listOnly(command, arg); given.color = colorWord(rest); return true
    case '--watch': listOnly(command, arg); given.watch = watchSeconds(rest); return true
    default: return false
  }
}

/** What a check checks (check only). */
function checkOption(command: 'list' | 'check', arg: string, rest: string[], given: Given): boolean {
  const c = given.check
  switch (arg) {
    case '--expect': checkOnly(command, arg); c.expect.push(expectation(arg, value(rest, arg))); return true
    case '--expect-listener': checkOnly(command, arg); c.expectListener.push(expectation(arg, value(rest, arg))); return true
    case '--expect-connections': checkOnly(command, arg); c.expectConnections.push(expectation(arg, value(rest, arg))); return true
    case '--no-stalled': checkOnly(command, arg); c.noStalled = true; return true
    case '--address': checkOnly(command, arg); c.address = address(arg, value(rest, arg)); return true
    case '--remote-port': checkOnly(command, arg); c.remotePort = singlePort(arg, value(rest, arg)); return true
    case '--remote-address': checkOnly(command, arg); c.remoteAddress = address(arg, value(rest, arg)); return true
    case '--backlog': checkOnly(command, arg); c.backlog = backlog(value(rest, arg)); return true
    case '--nearly-full': checkOnly(command, arg); c.nearlyFullRatio = ratio(arg, value(rest, arg)); return true
    default: return false
  }
}

/** One port, 1-65535. */
function singlePort(flag: string, text: string): number {
  const p = port(text)
  if (typeof p !== 'number' || p === 0) throw new UsageError(`${flag} ${JSON.stringify(text)}: a check takes one port, 1-65535`)
  return p
}

function listOnly(command: 'list' | 'check', flag: string): void {
  if (command !== 'list') throw new UsageError(`${flag} is not an option of check`)
}

function checkOnly(command: 'list' | 'check', flag: string): void {
  if (command !== 'check') throw new UsageError(`${flag} is an option of knetstat check`)
}

/** -N's value as ss and ip take it, a name, or also a path or a pid: which one is the library's to resolve. */
function netnsValue(text: string): string | number {
  return /^[1-9][0-9]*$/.test(text) ? Number(text) : text
}

function oneNetns(current: string | number | undefined, wanted: string | number): string | number {
  if (current !== undefined && current !== wanted) throw new UsageError('give one namespace: -N NAME|PATH|PID or --all-netns')
  return wanted
}

function oneFormat(format: OutputFormat | undefined, wanted: OutputFormat): OutputFormat {
  if (format === undefined || format === wanted) return wanted
  if ((format === 'json' || format === 'ndjson') && (wanted === 'json' || wanted === 'ndjson')) throw new UsageError('use either --json or --ndjson, not both')
  throw new UsageError('choose one output: --format table, --format knetstat, --json or --ndjson')
}

/** --color's optional WHEN (auto, always, never), as ls and grep take it: `--color` alone is always. */
function colorWord(rest: string[]): ColorMode {
  if (rest[0] !== undefined && !rest[0].startsWith('-')) return colorMode(rest.shift() as string)
  return 'always'
}

/** --watch's optional SEC: taken when the next argument is a number, else 2. */
function watchSeconds(rest: string[]): number {
  if (rest[0] !== undefined && /^[0-9.]+$/.test(rest[0])) return seconds(rest.shift() as string)
  return 2
}

/** The filters of list and check, once every option is read and they can be combined. */
function filtersOf(given: Given): Filters {
  const states = selectedStates(given)
  const { procNet, maxRecordingBytes } = recordingOf(given)
  return {
    protos: given.protos.size === 0 ? undefined : [...given.protos],
    families: given.families.size === 0 ? undefined : [...given.families],
    states,
    ports: given.ports,
    source: given.source,
    procNet,
    maxRecordingBytes,
    netns: given.netns,
  }
}

/** --state, or -l's states. */
function selectedStates(given: Given): TcpState[] | undefined {
  if (!given.listening) return given.states
  if (given.states !== undefined) throw new UsageError('use either -l or --state, not both')
  // TCP listeners, and UDP sockets with no peer (ss shows those as listening too).
  return ['LISTEN', 'CLOSE']
}

/** The recording to replay (--proc-net, else KNETSTAT_PROC_NET) and its size limit. */
function recordingOf(given: Given): Pick<Filters, 'procNet' | 'maxRecordingBytes'> {
  // KNETSTAT_PROC_NET names the recording as --proc-net does.
  const procNet = given.procNet ?? (process.env[PROC_NET_ENV] || undefined)
  if (procNet !== undefined && given.netns !== undefined) throw new UsageError('--proc-net replays a recording: it has no namespaces (-N, --all-netns)')
  if (procNet !== undefined && given.cgroup) throw new UsageError('--proc-net replays a recording: it has no cgroups (--cgroup)')
  if (procNet !== undefined && (given.source === 'pidfd' || given.source === 'bpf' || given.processes)) {
    throw new UsageError('--proc-net replays a recording: it has no processes to read options or holders from')
  }
  if (given.maxRecordingBytes !== undefined && procNet === undefined) {
    throw new UsageError('--max-recording-bytes limits the files of a recording: give --proc-net DIR (or KNETSTAT_PROC_NET) too')
  }
  return { procNet, maxRecordingBytes: given.maxRecordingBytes }
}

function checkArgs(filters: Filters, given: Given): CheckArgs {
  const c = given.check
  if (filters.states !== undefined) throw new UsageError('check judges a service (its listeners and their connections): it takes no -l or --state')
  if (given.processes || given.extended || given.watch !== null || (given.format !== undefined && given.format !== 'json')) throw new UsageError('check prints a verdict: of the output options it takes only --json')
  if (filters.protos !== undefined && filters.protos.length > 1) throw new UsageError('check one protocol at a time: -t (the default) or -u')
  const ports = filters.ports ?? []
  const service = ports.length > 0
  if (service === (c.remotePort !== undefined)) {
    throw new UsageError("check needs its target: --port P (a service: its listeners and the connections they accepted) or --remote-port P (this host's outgoing connections), one of the two")
  }
  if (ports.length > 1 || typeof ports[0] === 'object' || ports[0] === 0) throw new UsageError('check judges one service: give one --port, 1-65535')
  const check: SocketCheck = service ? { port: ports[0] as number } : { remotePort: c.remotePort as number }
  if (c.address !== undefined) check.address = c.address
  if (c.remoteAddress !== undefined) check.remoteAddress = c.remoteAddress
  if (filters.protos !== undefined) check.proto = filters.protos[0] as Proto
  if (filters.families !== undefined) check.family = filters.families
  if (c.expect.length > 0) check.expect = c.expect
  if (c.expectListener.length > 0) check.expectListener = c.expectListener
  if (c.expectConnections.length > 0) check.expectConnections = c.expectConnections
  if (c.noStalled) check.noStalled = true
  if (c.backlog !== undefined) check.backlog = c.backlog
  if (c.nearlyFullRatio !== undefined) check.nearlyFullRatio = c.nearlyFullRatio
  if (filters.source === 'netlink') {
    if (check.expect !== undefined || check.expectListener !== undefined || check.expectConnections !== undefined) {
      throw new UsageError('--expect needs the sockets\' options: leave out --no-options / --source netlink')
    }
  } else check.options = filters.source
  if (filters.procNet !== undefined) {
    const { procNet: path, maxRecordingBytes } = filters
    check.procNet = maxRecordingBytes === undefined ? path : { path, maxRecordingBytes }
  }
  if (filters.netns === 'all') throw new UsageError('check judges one service: give its namespace with -N NAME|PATH|PID, not --all-netns')
  if (filters.netns !== undefined) check.netns = filters.netns
  return { command: 'check', check, json: given.format === 'json' }
}

function listArgs(filters: Filters, given: Given): ListArgs {
  if (given.watch !== null && (given.format === 'json' || given.format === 'ndjson')) throw new UsageError('--watch redraws the text table; it cannot be combined with --json or --ndjson')
  return {
    command: 'list',
    ...filters,
    ...given.endpoints,
    processes: given.processes,
    cgroup: given.cgroup,
    extended: given.extended,
    format: given.format,
    allOptions: given.allOptions,
    color: given.color,
    watch: given.watch,
  }
}

/** The listSockets options value of a --source. */
export function optionsQuery(source: Source): OptionsQuery {
  return source === 'netlink' ? false : source
}

// One check run through the library (checkSockets), the command (`knetstat check
// --json`) and the collector (check_status of registerSocketMetrics): the three must
// give one verdict. Tests state a check once, as a SocketCheck; checkArgv is the one
// place that spells it as command-line flags.
import { Registry } from 'prom-client'
import { checkSockets, type CheckResult, type CheckResultJson, type SocketCheck } from '../../src/index.js'
import { registerSocketMetrics } from '../../src/prometheus.js'
import { knetstat, type RunOptions } from './cli.js'

export interface ThreeWays {
  library: CheckResult
  command: { status: number | null; json: CheckResultJson; stderr: string }
  /** The collector's verdict: the status whose check_status series is 1. */
  collector: string
}

const EXIT: Record<string, number> = { ok: 0, fail: 1, unknown: 3 }

/** A SocketCheck as `knetstat check` flags. */
export function checkArgv(check: SocketCheck): string[] {
  const argv: string[] = ['check']
  const texts = (flag: string, expect: SocketCheck['expect']): void => {
    if (expect === undefined) return
    if (!Array.isArray(expect)) throw new Error('checkArgv: give expectations as NAME=value texts, as the command takes them')
    for (const text of expect as string[]) argv.push(flag, text)
  }
  if (check.port !== undefined) argv.push('--port', String(check.port))
  if (check.address !== undefined) argv.push('--address', check.address)
  if (check.remotePort !== undefined) argv.push('--remote-port', String(check.remotePort))
  if (check.remoteAddress !== undefined) argv.push('--remote-address', check.remoteAddress)
  if (check.proto === 'udp') argv.push('-u')
  if (check.family !== undefined) for (const f of [check.family].flat()) argv.push(`-${f}`)
  texts('--expect', check.expect)
  texts('--expect-listener', check.expectListener)
  texts('--expect-connections', check.expectConnections)
  if (check.noStalled === true) argv.push('--no-stalled')
  if (check.backlog !== undefined) argv.push('--backlog', String(check.backlog))
  if (check.nearlyFullRatio !== undefined) argv.push('--nearly-full', String(check.nearlyFullRatio))
  if (check.options !== undefined) argv.push('--source', check.options)
  if (check.procNet !== undefined) {
    if (typeof check.procNet !== 'string') throw new Error('checkArgv: give procNet as a directory')
    argv.push('--proc-net', check.procNet)
  }
  argv.push('--json')
  return argv
}

/** Runs `check` three ways (the command with `run` options, e.g. as another user). */
export async function checkThreeWays(check: SocketCheck, run: RunOptions = {}): Promise<ThreeWays> {
  const library = await checkSockets(check)
  const r = knetstat(checkArgv(check), run)
  let json: CheckResultJson
  try {
    json = JSON.parse(r.stdout) as CheckResultJson
  } catch {
    throw new Error(`knetstat ${checkArgv(check).join(' ')} exited ${r.status} without JSON: ${r.stdout}${r.stderr}`)
  }
  if (r.status !== EXIT[json.status]) throw new Error(`knetstat check exited ${r.status} for status ${json.status}`)
  const registry = new Registry()
  const metrics = registerSocketMetrics(registry, { checks: { it: check } })
  try {
    const gauge = (await registry.getMetricsAsJSON()).find((m) => m.name === 'knetstat_check_status')
    const on = (gauge?.values ?? []).filter((v) => v.value === 1 && v.labels.check === 'it')
    if (on.length !== 1) throw new Error(`check_status has ${on.length} series at 1: ${JSON.stringify(gauge?.values)}`)
    return { library, command: { status: r.status, json, stderr: r.stderr }, collector: String(on[0]?.labels.status) }
  } finally {
    metrics.unregister()
  }
}

/** The verdict when all three agree; throws, saying who said what, when they do not. */
export function agreed(three: ThreeWays): string {
  const { library, command, collector } = three
  if (library.status === command.json.status && library.status === collector) return library.status
  throw new Error(`the three disagree: library ${library.status} (${[...library.problems, ...library.unknowns].join('; ')}), command ${command.json.status} (${[...command.json.problems, ...command.json.unknowns].join('; ')}), collector ${collector}`)
}

// The verdict of a check over a listing of its target's sockets: every finding
// (a failure, something the check cannot know, a warning), grouped so that a
// service with 50,000 connections gives a few lines, not 50,000.
import { isMinisocket, type SocketEntry, type TcpState } from '../model.js'
import { formatOptionValue } from '../options.js'
import { judgeOption, type Judgement, type OptionValue } from './expect.js'
import { describeTarget, type CheckTarget, type NormalizedCheck, type RoleExpectation } from './check-spec.js'
import type { Role } from './roles.js'
import { acceptQueue, DIAG_FLAGS, describeSocket, type DiagFlag } from './summary.js'

export type CheckStatus = 'ok' | 'fail' | 'unknown'

/** One thing a check found, about one or more sockets of the target (or about the target as a whole). */
export interface CheckFinding {
  /** 'fail' makes the check fail; 'unknown' makes a check without failures unknown; 'warning' changes nothing. */
  status: 'fail' | 'unknown' | 'warning'
  check: 'listener' | 'connections' | 'expectation' | 'accept-queue' | 'stalled'
  /** One line, without the sockets. */
  message: string
  /** For an unknown: what supplies the missing knowledge (a flag, a source, a privilege). */
  supply?: string
  /** Expectation findings: the option, where it was judged, what was expected and what the sockets have (undefined: not set). */
  option?: string
  role?: Role
  expected?: OptionValue
  actual?: OptionValue
  /** The sockets it is about, in listing order ([] for the target as a whole). */
  entries: SocketEntry[]
}

/** What checkSockets returns. */
export interface CheckResult {
  /** 'fail' when anything failed; else 'unknown' when something could not be known; else 'ok'. */
  status: CheckStatus
  /** status === 'ok': what a health endpoint answers 200 for. */
  ok: boolean
  target: CheckTarget
  /** The expectations, each with the role it was judged in. */
  expectations: RoleExpectation[]
  /** The service's listening sockets (TCP LISTEN; UDP bound and unconnected); [] for outgoing connections. */
  listeners: SocketEntry[]
  /** The accepted connections (or the outgoing ones), in any state, TIME_WAIT and requests included. */
  connections: SocketEntry[]
  /** How many connections had their options judged: those the service holds (not TIME_WAIT, requests, or ones still waiting in the accept queue). */
  judged: number
  /** Failures first, then unknowns, then warnings. */
  findings: CheckFinding[]
  /** One line per failure, naming up to three sockets. */
  problems: string[]
  /** One line per thing the check cannot know, with what would supply it. */
  unknowns: string[]
  warnings: string[]
}

/** Sockets named in a finding's line. */
const SHOWN = 3

/** Judges a listing of the target's sockets (NormalizedCheck.query's). Pure: keeps references to the entries. */
export function evaluateCheck(check: NormalizedCheck, entries: readonly SocketEntry[]): CheckResult {
  const { target } = check
  const listeners: SocketEntry[] = []
  const connections: SocketEntry[] = []
  for (const entry of entries) {
    if (entry.proto !== target.proto) continue
    if (target.kind === 'outgoing') {
      if (entry.remote.port === target.port && !isListener(entry)) connections.push(entry)
    } else if (entry.local.port === target.port) (isListener(entry) ? listeners : connections).push(entry)
  }
  const findings = new Findings()

  if (target.kind === 'service' && listeners.length === 0) {
    findings.add('fail', 'listener', `no ${target.proto === 'tcp' ? 'listener' : 'bound socket'}: nothing serves the ${describeTarget(target)}`, [])
  }
  if (target.kind === 'outgoing' && connections.length === 0) {
    findings.add('warning', 'connections', `no ${describeTarget(target)}: nothing to judge`, [])
  }
  if (target.proto === 'tcp') for (const listener of listeners) judgeAcceptQueue(check, listener, findings)

  const held = connections.filter(isHeld)
  const mayWait = recordedQueueNotEmpty(listeners)
  for (const expectation of check.expectations) {
    const sockets = expectation.role === 'listener' ? listeners : held
    for (const entry of sockets) {
      const judgement = judgeOption(entry, expectation.option, expectation.expected)
      if (judgement.status === 'met') continue
      findings.expectation(expectation, entry, judgement, expectation.role === 'connections' && mayWait && entry.netlink === undefined)
    }
  }

  for (const entry of connections) {
    if (entry.proto !== 'tcp' || entry.state !== 'ESTABLISHED') continue
    for (const flag of DIAG_FLAGS) {
      const value = entry.diag[flag]
      if (value === true) findings.add(check.noStalled ? 'fail' : 'warning', 'stalled', FLAG_TEXT[flag], [entry], `stalled:${flag}`)
      else if (value === null && check.noStalled) {
        findings.add('unknown', 'stalled', `whether ${FLAG_NAME[flag]} cannot be told (the source has no tcp_info for it)`, [entry], `stalled-unknown:${flag}`, 'list the live host (a recording of a module without diag flags cannot say)')
      }
    }
  }

  const sorted = findings.sorted()
  const status: CheckStatus = sorted.some((f) => f.status === 'fail') ? 'fail' : sorted.some((f) => f.status === 'unknown') ? 'unknown' : 'ok'
  const lines = (status: CheckFinding['status']): string[] => sorted.filter((f) => f.status === status).map(findingLine)
  return {
    status,
    ok: status === 'ok',
    target,
    expectations: check.expectations,
    listeners,
    connections,
    judged: held.length,
    findings: sorted,
    problems: lines('fail'),
    unknowns: lines('unknown'),
    warnings: lines('warning'),
  }
}

/** A service's listening socket: TCP LISTEN, or a UDP socket with no peer. */
function isListener(entry: SocketEntry): boolean {
  return entry.proto === 'tcp' ? entry.state === 'LISTEN' : entry.remote.port === 0
}

/**
 * A connection the application holds, whose options it had the chance to set: not a
 * minisocket, and (live) with a file — a connection still in the accept queue, or
 * one the application closed, has none. A recorded line has no inode: judged, see
 * recordedQueueNotEmpty.
 */
function isHeld(entry: SocketEntry): boolean {
  if (isMinisocket(entry)) return false
  return entry.netlink === undefined || entry.inode !== null
}

/** States in which a recorded connection may be one the application already closed (an orphan, which has no file). */
const ORPHAN_STATES: ReadonlySet<TcpState> = new Set(['FIN_WAIT1', 'FIN_WAIT2', 'CLOSING', 'LAST_ACK'])

/**
 * Whether a recorded connection may still wait in an accept queue: a recording has no
 * inodes, so with connections waiting (a listener's recvQ > 0) any connection may be
 * one of them, and a broken expectation on it is unknown, not a failure.
 */
function recordedQueueNotEmpty(listeners: readonly SocketEntry[]): boolean {
  return listeners.some((l) => l.proto === 'tcp' && l.recvQ > 0)
}

function judgeAcceptQueue(check: NormalizedCheck, listener: SocketEntry, findings: Findings): void {
  const queue = acceptQueue(listener, check.backlog, check.nearlyFullRatio)
  // An empty queue is not full, whatever its limit.
  if (queue === null && listener.recvQ === 0) return
  if (queue === null) {
    findings.add(
      'unknown',
      'accept-queue',
      `whether the accept queue is full cannot be told: ${listener.recvQ} waiting, and the listing carries no limit (a recording)`,
      [listener],
      'queue-unknown',
      "give the service's listen() backlog: --backlog N (backlog: N)",
    )
    return
  }
  const assumed = queue.queue.limitSource === 'option' ? ' (given)' : ''
  if (queue.queue.full) {
    findings.add('fail', 'accept-queue', `accept queue full: ${queue.queue.length} waiting over a limit of ${queue.queue.limit}${assumed}, new connections are dropped`, [listener], `queue-full:${describeSocket(listener)}`)
  } else if (queue.nearlyFull) {
    findings.add('warning', 'accept-queue', `accept queue nearly full: ${queue.queue.length} waiting, limit ${queue.queue.limit}${assumed}`, [listener], `queue-nearly:${describeSocket(listener)}`)
  }
}

const FLAG_TEXT: Record<DiagFlag, string> = {
  sendWindowZero: 'the peer advertises a zero window: nothing can be sent (>|)',
  receiveWindowZero: 'we advertise a zero window: nothing can be received (|<)',
  ackStalled: 'data is unacknowledged and the last ACK came more than 1 s ago (>#)',
}

const FLAG_NAME: Record<DiagFlag, string> = {
  sendWindowZero: 'the peer advertises a zero window',
  receiveWindowZero: 'we advertise a zero window',
  ackStalled: 'ACKs are stalled',
}

/** `on 2 connections: tcp a -> b ESTABLISHED, …` */
function findingLine(f: CheckFinding): string {
  const shown = f.entries.slice(0, SHOWN).map(describeSocket).join(', ')
  const more = f.entries.length > SHOWN ? ` and ${f.entries.length - SHOWN} more` : ''
  const where = f.entries.length === 0 ? '' : `${f.entries.length === 1 ? '' : ` (${f.entries.length} sockets)`}: ${shown}${more}`
  const supply = f.supply === undefined ? '' : `; to know, ${f.supply}`
  return `${f.message}${supply}${where}`
}

/** Findings grouped by what they say: one per (kind, option, role, value or reason). */
class Findings {
  private readonly groups = new Map<string, CheckFinding>()

  add(status: CheckFinding['status'], check: CheckFinding['check'], message: string, entries: SocketEntry[], key = `${check}:${message}`, supply?: string): CheckFinding {
    const seen = this.groups.get(`${status}|${key}`)
    if (seen !== undefined) {
      seen.entries.push(...entries)
      return seen
    }
    const finding: CheckFinding = { status, check, message, entries }
    if (supply !== undefined) finding.supply = supply
    this.groups.set(`${status}|${key}`, finding)
    return finding
  }

  /** A broken or unknown expectation on one socket; `mayWait`: a recorded connection that may still wait in the accept queue. */
  expectation(e: RoleExpectation, entry: SocketEntry, judgement: Exclude<Judgement, { status: 'met' }>, mayWait: boolean): void {
    const expected = `${e.option}=${formatOptionValue(e.option, e.expected)}`
    const on = e.role === 'listener' ? 'the listener' : 'connections'
    let finding: CheckFinding
    if (judgement.status === 'broken') {
      const has = judgement.actual === undefined ? `${e.option} is not set` : `has ${e.option}=${formatOptionValue(e.option, judgement.actual)}`
      const recordedOrphan = entry.netlink === undefined && ORPHAN_STATES.has(entry.state)
      if (mayWait || recordedOrphan) {
        const why = recordedOrphan ? 'the application may have closed it' : 'it may still wait in the accept queue'
        finding = this.add('unknown', 'expectation', `${expected} expected on ${on}: ${has}, but a recording cannot tell whether the service holds it (${why})`, [entry], `x:${e.role}:${e.option}:maybe:${String(judgement.actual)}:${why}`, 'check the live host')
      } else {
        finding = this.add('fail', 'expectation', `${expected} expected on ${on}: ${has}`, [entry], `x:${e.role}:${e.option}:${String(judgement.actual)}`)
      }
      if (judgement.actual !== undefined) finding.actual = judgement.actual
    } else {
      finding = this.add('unknown', 'expectation', `${expected} expected on ${on}: ${judgement.why}`, [entry], `x:${e.role}:${e.option}:unknown:${reasonKey(entry, judgement)}`, judgement.supply)
    }
    finding.option = e.option
    finding.role = e.role
    finding.expected = e.expected
  }

  sorted(): CheckFinding[] {
    const order = { fail: 0, unknown: 1, warning: 2 }
    return [...this.groups.values()].sort((a, b) => order[a.status] - order[b.status])
  }
}

/** Unknowns with one cause are one group: by error code, undecidable reason, or source. */
function reasonKey(entry: SocketEntry, judgement: Extract<Judgement, { status: 'unknown' }>): string {
  if (entry.options === null) return `null:${entry.optionsError?.code ?? ''}`
  return judgement.undecidable ?? `source:${entry.optionsSource ?? ''}`
}

// The 4-letter state codes and the diag codes of the knetstat text format.
import type { DiagFlags, Proto, TcpState } from '../model.js'

export const TCP_HEADER = 'Recv-Q Send-Q Local Address           Foreign Address         Stat Diag Options'
export const UDP_HEADER = 'Recv-Q Send-Q Local Address           Foreign Address         Options'

export const HEADERS: Readonly<Record<Proto, string>> = { tcp: TCP_HEADER, udp: UDP_HEADER }

/** State name -> code. SYN_RECV and NEW_SYN_RECV share SYNR; BNDI is our code for BOUND_INACTIVE. */
export const STATE_CODES: Readonly<Record<TcpState, string>> = {
  ESTABLISHED: 'ESTB',
  SYN_SENT: 'SYNS',
  SYN_RECV: 'SYNR',
  FIN_WAIT1: 'FNW1',
  FIN_WAIT2: 'FNW2',
  TIME_WAIT: 'TIMW',
  CLOSE: 'CLSD',
  CLOSE_WAIT: 'CLSW',
  LAST_ACK: 'LACK',
  LISTEN: 'LSTN',
  CLOSING: 'CLSG',
  NEW_SYN_RECV: 'SYNR',
  BOUND_INACTIVE: 'BNDI',
}

/** Code -> state name. SYNR reads as SYN_RECV: the kernel reports request sockets so in /proc and netlink. */
export const STATES_BY_CODE: ReadonlyMap<string, TcpState> = new Map(
  (Object.entries(STATE_CODES) as [TcpState, string][])
    .filter(([state]) => state !== 'NEW_SYN_RECV')
    .map(([state, code]) => [code, state]),
)

const DIAG_NONE: DiagFlags = { sendWindowZero: false, receiveWindowZero: false, ackStalled: false }

/**
 * The module prints one code per socket: a zero window takes precedence over a
 * stalled ACK, so under a window code ackStalled is unknown.
 */
const FLAGS_BY_CODE: ReadonlyMap<string, DiagFlags> = new Map([
  ['', DIAG_NONE],
  ['>|<', { sendWindowZero: true, receiveWindowZero: true, ackStalled: null }],
  ['>|', { sendWindowZero: true, receiveWindowZero: false, ackStalled: null }],
  ['|<', { sendWindowZero: false, receiveWindowZero: true, ackStalled: null }],
  ['>#', { sendWindowZero: false, receiveWindowZero: false, ackStalled: true }],
])

export const DIAG_CODES: readonly string[] = [...FLAGS_BY_CODE.keys()].filter((code) => code !== '')

/** A diag token's flags, or undefined for a token that is not a diag code. */
export function diagFromCode(code: string): DiagFlags | undefined {
  const flags = FLAGS_BY_CODE.get(code)
  return flags === undefined ? undefined : { ...flags }
}

/** The code for a socket's flags ('' when none is raised). */
export function diagCode(diag: DiagFlags): string {
  if (diag.sendWindowZero === true && diag.receiveWindowZero === true) return '>|<'
  if (diag.sendWindowZero === true) return '>|'
  if (diag.receiveWindowZero === true) return '|<'
  if (diag.ackStalled === true) return '>#'
  return ''
}

/** Flags for sockets that carry no code: the text says nothing is raised. */
export function noDiag(): DiagFlags {
  return { ...DIAG_NONE }
}

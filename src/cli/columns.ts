// The table's columns, in order: what each is called, how it aligns, and what it
// shows of a socket. Adding a column is one entry here.
import type { SocketEntry, TcpState } from '../model.js'
import { diagCode } from '../text/codes.js'
import { escapeForDisplay } from '../text/escape.js'
import type { Paint } from './color.js'

export interface Cell {
  text: string
  paint?: Paint
}

export interface Column {
  header: string
  align: 'left' | 'right'
  /** Left out of a table where no row has anything in it (most listings have no diag code). */
  optional?: boolean
  /** May leave a row too wide for the window for the line under it (the process: long, and last). */
  movable?: boolean
  cell(entry: SocketEntry): Cell
}

/** The fixed-width columns, left to right; the options follow them, as wide as they are (table.ts). */
export function tableColumns(choice: { processes: boolean; netns?: boolean; cgroup?: boolean }): Column[] {
  const columns: (Column | null)[] = [
    choice.netns === true ? { header: 'Netns', align: 'left', cell: (e) => ({ text: netnsLabel(e) }) } : null,
    { header: 'Proto', align: 'left', cell: (e) => ({ text: `${e.proto}${e.family === 6 ? '6' : ''}` }) },
    // As ss: a listener's Recv-Q is its accept queue, its Send-Q the queue's limit (the backlog).
    { header: 'Recv-Q', align: 'right', cell: (e) => ({ text: String(e.recvQ) }) },
    { header: 'Send-Q', align: 'right', cell: (e) => ({ text: sendQ(e) }) },
    { header: 'Local Address:Port', align: 'left', cell: (e) => ({ text: endpoint(e.local, e.family) }) },
    { header: 'Peer Address:Port', align: 'left', cell: (e) => ({ text: endpoint(e.remote, e.family) }) },
    { header: 'State', align: 'left', cell: (e) => stateCell(e) },
    { header: 'Diag', align: 'left', optional: true, cell: (e) => diagCell(e) },
    choice.cgroup === true ? { header: 'Container', align: 'left', cell: (e) => ({ text: containerLabel(e) }) } : null,
    choice.processes ? { header: 'Process', align: 'left', movable: true, cell: (e) => ({ text: holders(e) }) } : null,
  ]
  return columns.filter((c) => c !== null)
}

/** A namespace as `ip netns` names it, else its inode. */
export function netnsLabel(e: SocketEntry): string {
  if (e.netns === undefined) return '-'
  return e.netns.name === null ? String(e.netns.inode) : escapeForDisplay(e.netns.name)
}

/** The container as `docker ps` shows its id (12 digits), else the systemd unit, else the cgroup path; `-` when unknown. */
export function containerLabel(e: SocketEntry): string {
  const c = e.cgroup
  if (c === undefined || c.path === null) return '-'
  const id = c.container?.containerId
  if (id !== undefined) return `${c.container?.runtime}:${id.slice(0, 12)}`
  return escapeForDisplay(c.container?.unit ?? c.path)
}

/** A listener's backlog limit: netlink's; a recording carries none (its text says 0). */
function sendQ(e: SocketEntry): string {
  if (e.proto !== 'tcp' || e.state !== 'LISTEN') return String(e.sendQ)
  return e.backlog === undefined ? '-' : String(e.backlog)
}

/** `addr:port` as ss writes it: IPv6 in brackets, `*` for no port. */
function endpoint(ep: SocketEntry['local'], family: 4 | 6): string {
  const port = ep.port === 0 ? '*' : String(ep.port)
  return family === 6 ? `[${escapeForDisplay(ep.address)}]:${port}` : `${escapeForDisplay(ep.address)}:${port}`
}

/** ss's state names: UDP without a peer is UNCONN. */
const STATE_NAMES: Readonly<Record<TcpState, string>> = {
  ESTABLISHED: 'ESTAB',
  SYN_SENT: 'SYN-SENT',
  SYN_RECV: 'SYN-RECV',
  FIN_WAIT1: 'FIN-WAIT-1',
  FIN_WAIT2: 'FIN-WAIT-2',
  TIME_WAIT: 'TIME-WAIT',
  CLOSE: 'UNCONN',
  CLOSE_WAIT: 'CLOSE-WAIT',
  LAST_ACK: 'LAST-ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
  NEW_SYN_RECV: 'SYN-RECV',
  BOUND_INACTIVE: 'BOUND-INACTIVE',
}

const STATE_PAINT: Partial<Record<TcpState, Paint>> = {
  LISTEN: 'listening',
  ESTABLISHED: 'established',
  FIN_WAIT1: 'closing',
  FIN_WAIT2: 'closing',
  TIME_WAIT: 'closing',
  CLOSE_WAIT: 'closing',
  LAST_ACK: 'closing',
  CLOSING: 'closing',
}

function stateCell(e: SocketEntry): Cell {
  // A TCP socket in CLOSE is not "unconnected" UDP: ss calls it UNCONN too, netstat CLOSE.
  const text = e.proto === 'tcp' && e.state === 'CLOSE' ? 'CLOSE' : STATE_NAMES[e.state]
  const paint = e.proto === 'udp' && e.state === 'CLOSE' ? 'listening' : STATE_PAINT[e.state]
  return paint === undefined ? { text } : { text, paint }
}

/** The knetstat diag code (>| |< >|< >#): zero windows red, a stalled ACK yellow. */
function diagCell(e: SocketEntry): Cell {
  const text = e.proto === 'tcp' ? diagCode(e.diag) : ''
  if (text === '') return { text }
  return { text, paint: text === '>#' ? 'stalled' : 'zeroWindow' }
}

/** netstat's PID/Program name, for each holder. */
function holders(e: SocketEntry): string {
  return (e.processes ?? []).map((h) => `${h.pid}/${escapeForDisplay(h.command)}`).join(',')
}

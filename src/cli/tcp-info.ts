// -e: an ss -i style digest of tcp_info, the numbers people look at first. A socket
// without a connection (a listener, an unconnected socket) has no round trip, window
// or retransmit of its own: it shows its congestion control only.
import type { SocketEntry } from '../model.js'
import { escapeForDisplay } from '../text/escape.js'

const ms = (us: number | null): string => (us === null ? '?' : (us / 1000).toFixed(3).replace(/\.?0+$/, ''))

/** The digest's fields; [] for a socket without tcp_info (UDP, TIME_WAIT, requests, a recording). */
export function tcpInfoFields(entry: SocketEntry): string[] {
  const i = entry.tcpInfo
  if (i === undefined || i === null) return []
  const congestion = entry.netlink?.congestion == null ? null : escapeForDisplay(entry.netlink.congestion)
  if (entry.state === 'LISTEN' || entry.state === 'CLOSE') return congestion === null ? [] : [congestion]
  const parts = [
    congestion,
    `rtt:${ms(i.rtt)}/${ms(i.rttvar)}`,
    `rto:${ms(i.rto)}`,
    i.sndCwnd === null ? null : `cwnd:${i.sndCwnd}`,
    i.sndMss === null ? null : `mss:${i.sndMss}`,
    i.sndWnd === null ? null : `snd_wnd:${i.sndWnd}`,
    i.rcvWnd === null ? null : `rcv_wnd:${i.rcvWnd}`,
    i.unacked === null ? null : `unacked:${i.unacked}`,
    i.totalRetrans === null ? null : `retrans:${i.retrans ?? 0}/${i.totalRetrans}`,
    i.lastAckRecv === null ? null : `lastack:${i.lastAckRecv}ms`,
  ]
  return parts.filter((p) => p !== null)
}

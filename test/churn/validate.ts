// What a well-formed SocketEntry is, checked field by field (test/churn): the
// problems of one entry as strings, empty when it is well-formed.
import { isIPv4, isIPv6 } from 'node:net'
import type { ListQuery } from '../../src/index.js'
import { TCP_STATES, type SocketEntry } from '../../src/model.js'
import { isKnownOption, OPTION_KINDS, OPTION_NAME } from '../../src/options.js'

// inet_diag reports request sockets as SYN_RECV: NEW_SYN_RECV never reaches a listing.
const TCP_STATE_NAMES = new Set<string>(TCP_STATES.filter((s) => s !== 'NEW_SYN_RECV'))
const UDP_STATES = new Set(['CLOSE', 'ESTABLISHED'])
const TIMERS = new Set(['none', 'retransmit', 'keepalive', 'time_wait', 'zero_window_probe'])
const OPTIONS_ERROR_CODES = /^(E[A-Z0-9]+|ERR_[A-Z0-9_]+)$/

const isU32 = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff
const isPort = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 65535
const isNullableBool = (x: unknown): boolean => x === null || typeof x === 'boolean'
const isNullableU32 = (x: unknown): boolean => x === null || isU32(x)

export function validateEntry(e: SocketEntry, query: ListQuery): string[] {
  const problems: string[] = []
  const bad = (what: string, value: unknown): void => {
    problems.push(`${what}: ${JSON.stringify(value)}`)
  }
  if (e.proto !== 'tcp' && e.proto !== 'udp') bad('proto', e.proto)
  if (e.family !== 4 && e.family !== 6) bad('family', e.family)
  if (!(e.proto === 'udp' ? UDP_STATES : TCP_STATE_NAMES).has(e.state)) bad(`state of ${e.proto}`, e.state)
  if (!isU32(e.recvQ)) bad('recvQ', e.recvQ)
  if (!isU32(e.sendQ)) bad('sendQ', e.sendQ)
  for (const side of ['local', 'remote'] as const) {
    const end = e[side]
    if (typeof end !== 'object' || end === null) {
      bad(side, end)
      continue
    }
    if (!isPort(end.port)) bad(`${side}.port`, end.port)
    if (typeof end.address !== 'string' || !(e.family === 4 ? isIPv4(end.address) : isIPv6(end.address))) bad(`${side}.address (IPv${e.family})`, end.address)
  }
  if (e.state === 'LISTEN' && e.remote.port !== 0) bad('remote port of a listener', e.remote.port)
  if (e.inode !== null && (!isU32(e.inode) || e.inode === 0)) bad('inode', e.inode)
  if (e.uid !== null && !isU32(e.uid)) bad('uid', e.uid)
  if ((e.uid === null) !== (e.inode === null)) bad('uid and inode: both or neither', [e.uid, e.inode])
  if ((e.state === 'TIME_WAIT' || (e.proto === 'tcp' && e.state === 'SYN_RECV')) && e.inode !== null) bad(`inode of a ${e.state} socket`, e.inode)
  if (typeof e.diag !== 'object' || e.diag === null || !isNullableBool(e.diag.sendWindowZero) || !isNullableBool(e.diag.receiveWindowZero) || !isNullableBool(e.diag.ackStalled)) {
    bad('diag', e.diag)
  }
  if ('backlog' in e && (e.proto !== 'tcp' || e.state !== 'LISTEN' || !isU32(e.backlog))) bad('backlog', e.backlog)
  if (e.proto === 'tcp' && e.state === 'LISTEN' && !isU32(e.backlog)) bad('backlog of a listener', e.backlog)
  problems.push(...validateOptions(e, query))
  const wantsInfo = query.tcpInfo !== false && e.proto === 'tcp'
  if (wantsInfo) {
    if (!('tcpInfo' in e)) bad('tcpInfo missing', undefined)
    else if (e.tcpInfo !== null && (typeof e.tcpInfo !== 'object' || !isU32(e.tcpInfo.rtt))) bad('tcpInfo', e.tcpInfo)
    else if (e.tcpInfo === null && e.inode !== null && e.state !== 'TIME_WAIT') bad('tcpInfo of a full socket', null)
  } else if ('tcpInfo' in e) bad('tcpInfo not asked for', e.tcpInfo)
  if (query.processes === true) {
    const holders = e.processes
    if (!Array.isArray(holders)) bad('processes', holders)
    else {
      for (const h of holders) {
        if (!Number.isInteger(h.pid) || h.pid <= 0 || !Number.isInteger(h.fd) || h.fd < 0 || typeof h.command !== 'string') bad('holder', h)
      }
      for (let i = 1; i < holders.length; i++) {
        const a = holders[i - 1] as { pid: number; fd: number }
        const b = holders[i] as { pid: number; fd: number }
        if (a.pid > b.pid || (a.pid === b.pid && a.fd >= b.fd)) bad('holders out of order', holders)
      }
      if (e.inode === null && holders.length > 0) bad('holders of a socket without a file', holders)
    }
  } else if ('processes' in e) bad('processes not asked for', e.processes)
  const n = e.netlink
  if (typeof n !== 'object' || n === null) bad('netlink', n)
  else {
    if (typeof n.cookie !== 'string' || !/^[1-9][0-9]*$/.test(n.cookie)) bad('netlink.cookie', n.cookie)
    if (!isU32(n.ifindex)) bad('netlink.ifindex', n.ifindex)
    if (!TIMERS.has(n.timer)) bad('netlink.timer', n.timer)
    if (!Number.isInteger(n.retransmits) || n.retransmits < 0 || n.retransmits > 255) bad('netlink.retransmits', n.retransmits)
    if (!isU32(n.expiresMs)) bad('netlink.expiresMs', n.expiresMs)
    if (n.shutdown !== null && (typeof n.shutdown.read !== 'boolean' || typeof n.shutdown.write !== 'boolean')) bad('netlink.shutdown', n.shutdown)
    if (!isNullableBool(n.v6only)) bad('netlink.v6only', n.v6only)
    for (const key of ['tos', 'tclass'] as const) if (n[key] !== null && !(isU32(n[key]) && (n[key] as number) <= 255)) bad(`netlink.${key}`, n[key])
    for (const key of ['mark', 'classId'] as const) if (!isNullableU32(n[key])) bad(`netlink.${key}`, n[key])
    if (n.cgroupId !== null && !/^[0-9]+$/.test(n.cgroupId)) bad('netlink.cgroupId', n.cgroupId)
    if (n.congestion !== null && (typeof n.congestion !== 'string' || !/^[a-z0-9_]+$/.test(n.congestion))) bad('netlink.congestion', n.congestion)
    if (n.memInfo !== null) for (const [k, v] of Object.entries(n.memInfo)) if (!isNullableU32(v)) bad(`netlink.memInfo.${k}`, v)
  }
  return problems
}

function validateOptions(e: SocketEntry, query: ListQuery): string[] {
  const problems: string[] = []
  const bad = (what: string, value: unknown): void => {
    problems.push(`${what}: ${JSON.stringify(value)}`)
  }
  if (e.options === null && 'otherOptions' in e) bad('otherOptions without options', e.otherOptions)
  if (query.options === false) {
    if (e.options !== null || e.optionsSource !== null || 'optionsError' in e) bad('options not asked for', [e.options, e.optionsSource, e.optionsError])
    return problems
  }
  if (e.options === null) {
    if (e.optionsSource !== null) bad('optionsSource without options', e.optionsSource)
    const error = e.optionsError
    if (typeof error !== 'object' || error === null || typeof error.code !== 'string' || !OPTIONS_ERROR_CODES.test(error.code) || typeof error.message !== 'string') {
      bad('optionsError of a socket without options', error)
    }
    return problems
  }
  if (typeof e.options !== 'object') return [`options: ${JSON.stringify(e.options)}`]
  if (e.optionsSource !== 'pidfd' && e.optionsSource !== 'module' && e.optionsSource !== 'bpf') bad('optionsSource', e.optionsSource)
  if (query.options === 'pidfd' && e.optionsSource !== 'pidfd') bad("optionsSource with options 'pidfd'", e.optionsSource)
  if (query.options === 'bpf' && e.optionsSource !== 'bpf') bad("optionsSource with options 'bpf'", e.optionsSource)
  if (e.optionsSource !== 'pidfd' && e.optionsUndecidable !== undefined) bad('optionsUndecidable from an exact source', e.optionsUndecidable)
  if ('optionsError' in e) bad('optionsError beside options', e.optionsError)
  for (const [name, value] of Object.entries(e.options)) {
    if (!isKnownOption(name)) {
      bad(`unknown option ${name} in options`, value)
      continue
    }
    const kind = OPTION_KINDS[name]
    if (kind === 'bool') {
      if (typeof value !== 'boolean') bad(name, value)
    } else if (kind === 'string') {
      if (typeof value !== 'string') bad(name, value)
    } else if (!Number.isSafeInteger(value) || (value as number) < 0) bad(name, value)
  }
  if ('otherOptions' in e) {
    const other = e.otherOptions
    if (typeof other !== 'object' || other === null || Object.keys(other).length === 0) bad('otherOptions, present only when not empty', other)
    for (const [name, value] of Object.entries(other ?? {})) {
      if (!OPTION_NAME.test(name) || isKnownOption(name) || typeof value !== 'string') bad(`otherOptions.${name}`, value)
    }
  }
  return problems
}

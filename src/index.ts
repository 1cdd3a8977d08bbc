// knetstat: every TCP and UDP socket with the options its process set.
export type {
  DiagFlags,
  Endpoint,
  Family,
  OptionsError,
  OptionsSource,
  Proto,
  SocketEntry,
  SocketHolder,
  SocketOptions,
  TcpState,
} from './model.js'
export { TCP_STATES } from './model.js'
export { parseKnetstat, type ParseHint } from './text/parse.js'
export { formatKnetstat, type FormatOptions } from './text/format.js'
export { KnetstatParseError } from './text/errors.js'
export type { KnetstatTable } from './text/table.js'
export type { DiagSockopt, NetlinkDetails, SocketMemInfo, SocketTimer, TcpInfo } from './model.js'
export { listSockets } from './list.js'
export type { ListQuery, OptionsQuery, PortMatch } from './query.js'
export { recordTables, type RecordResult } from './record.js'
export { ReplayError, type KnetstatTexts, type ProcNet } from './sources/recording.js'

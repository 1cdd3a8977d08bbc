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
  SocketOptionName,
  SocketOptions,
  TcpState,
  UndecidableOption,
  UndecidableWhy,
} from './model.js'
export { TCP_STATES, UNDECIDABLE_OPTIONS } from './model.js'
export { parseKnetstat, type ParseHint } from './text/parse.js'
export { formatKnetstat, type FormatOptions } from './text/format.js'
export { KnetstatParseError } from './text/errors.js'
export type { KnetstatTable } from './text/table.js'
export type { DiagSockopt, NetlinkDetails, SocketMemInfo, SocketTimer, TcpInfo } from './model.js'
export { listSockets } from './list.js'
export type { ListQuery, OptionsQuery, PortMatch } from './query.js'
export { recordTables, type RecordResult } from './record.js'
export { DEFAULT_MAX_RECORDING_BYTES, ReplayError, type KnetstatTexts, type ProcNet, type RecordingPath } from './sources/replay/index.js'
export { escapeForDisplay } from './text/escape.js'
export {
  checkSockets,
  describeSocket,
  summarizeSockets,
  DEFAULT_NEARLY_FULL_RATIO,
  DIAG_FLAGS,
  type AcceptQueue,
  type CheckQuery,
  type CheckResult,
  type DiagFlag,
  type SocketCounts,
  type SocketSummary,
  type SummaryOptions,
  type UnmetExpectations,
} from './health/summary.js'
export { brokenExpectations, parseExpectation, type ExpectationFailure, type Expectations, type OptionValue } from './health/expect.js'
export { streamSockets } from './stream.js'
export type { AddressPrefix } from './query.js'

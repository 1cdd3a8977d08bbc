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
export type { ListQuery, NetnsQuery, OptionsQuery, PortMatch } from './query.js'
export { NetnsError, type NetnsErrorReason } from './netns/errors.js'
export type { NetnsRef } from './netns/target.js'
export type { CgroupAttribution, ContainerInfo, ContainerRuntime } from './cgroups/index.js'
export { recordTables, type RecordResult } from './record.js'
export { DEFAULT_MAX_RECORDING_BYTES, ReplayError, type KnetstatTexts, type ProcNet, type RecordingPath } from './sources/replay/index.js'
export { escapeForDisplay } from './text/escape.js'
export {
  describeSocket,
  summarizeSockets,
  DEFAULT_NEARLY_FULL_RATIO,
  DIAG_FLAGS,
  type AcceptQueue,
  type DiagFlag,
  type SocketCounts,
  type SocketSummary,
  type SummaryOptions,
} from './health/summary.js'
export { checkSockets, checkResultJson, type CheckResultJson } from './health/check.js'
export type { SocketCheck, CheckTarget, RoleExpectation } from './health/check-spec.js'
export type { CheckFinding, CheckResult, CheckStatus } from './health/evaluate.js'
export type { Role } from './health/roles.js'
export { createHealthCheck, DEFAULT_HEALTH_INTERVAL_MS, type HealthBody, type HealthCheck, type HealthCheckOptions } from './health/endpoint.js'
export { parseExpectation, type Expectations, type OptionValue } from './health/expect.js'
export { streamSockets } from './stream.js'
export type { AddressPrefix } from './query.js'

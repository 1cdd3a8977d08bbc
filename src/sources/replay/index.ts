// The replay source: the sockets of a recording (the knetstat files of a host, or
// their texts) in place of the live kernel's, with the options recorded.
export { listFromReplay } from './replay.js'
export {
  checkProcNet,
  DEFAULT_MAX_RECORDING_BYTES,
  readRecording,
  ReplayError,
  type ProcNet,
  type ReadOptions,
  type RecordingPath,
} from './recording.js'
export type { KnetstatTexts } from '../../text/files.js'

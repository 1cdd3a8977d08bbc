// Recordings: knetstat text saved from a host (src/record.ts), read back for users'
// own tests. A directory holding tcpstat, tcp6stat, udpstat, udp6stat (any subset),
// or the same texts as strings.
//
// A recording may come from anyone, and its reader may be root or an exporter: a
// recorded file is read only if it is a regular file (not a symlink, FIFO, device or
// directory) of at most maxRecordingBytes, checked on the opened descriptor, read
// in bounded chunks, and parsed as it is read, so that hostile input is refused in
// time and memory proportional to what is needed to find its first error, without
// parking a libuv thread or the event loop. See docs/format.md, "Replaying untrusted
// recordings".
import { constants, type Stats } from 'node:fs'
import { lstat, open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Family, Proto, SocketEntry } from '../../model.js'
import { KnetstatParseError } from '../../text/errors.js'
import { escapeForDisplay } from '../../text/escape.js'
import { TableParser } from '../../text/parse.js'
import { TABLE_FILES, type KnetstatTexts } from '../../text/files.js'
import { breathe } from '../../util/breathe.js'

/** A recording's directory with the limit on the size of each of its files. */
export interface RecordingPath {
  path: string
  /**
   * The largest recorded file read, in bytes (default DEFAULT_MAX_RECORDING_BYTES,
   * 128 MiB: some 900k sockets). A larger file rejects the listing with a ReplayError
   * of code ERR_KNETSTAT_RECORDING_TOO_LARGE.
   */
  maxRecordingBytes?: number
}

/** A recording: the path of a directory of knetstat files (alone, or with a size limit), or their texts. */
export type ProcNet = string | RecordingPath | KnetstatTexts

/** The default of maxRecordingBytes: 128 MiB, a table of about 900k sockets. */
export const DEFAULT_MAX_RECORDING_BYTES = 128 * 1024 * 1024

/** The error of a recording that cannot be read: names the directory or file. */
export class ReplayError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ReplayError'
  }
}

/** Checks the shape of a `procNet` value; throws a TypeError naming what is wrong. */
export function checkProcNet(value: unknown): ProcNet {
  if (typeof value === 'string') {
    if (value === '') throw new TypeError('listSockets: procNet is an empty path; give the directory of a recording')
    return value
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('listSockets: procNet must be a directory path, { path, maxRecordingBytes }, or { tcpstat, tcp6stat, udpstat, udp6stat } texts')
  }
  // Own properties, copied once into an object with no prototype: what is checked is
  // what is replayed, and nothing comes from Object.prototype.
  const own: Record<string, unknown> = Object.create(null)
  for (const key of Object.keys(value)) own[key] = (value as Record<string, unknown>)[key]
  if (Object.hasOwn(own, 'path')) return checkRecordingPath(own)
  const names = TABLE_FILES.map((t) => t.file as string)
  for (const [key, text] of Object.entries(own)) {
    if (!names.includes(key)) throw new TypeError(`listSockets: procNet.${escapeForDisplay(key, 40)} is not a knetstat file; the files are ${names.join(', ')} (or give { path, maxRecordingBytes })`)
    if (typeof text !== 'string' && text !== undefined) throw new TypeError(`listSockets: procNet.${escapeForDisplay(key, 40)} must be the file's text (a string)`)
  }
  return own as KnetstatTexts
}

function checkRecordingPath(value: Record<string, unknown>): RecordingPath {
  for (const key of Object.keys(value)) {
    if (key !== 'path' && key !== 'maxRecordingBytes') throw new TypeError(`listSockets: procNet.${escapeForDisplay(key, 40)} is not a field of { path, maxRecordingBytes }`)
  }
  const { path, maxRecordingBytes: max } = value
  if (typeof path !== 'string' || path === '') throw new TypeError('listSockets: procNet.path must be the directory of a recording (a non-empty string)')
  if (max !== undefined && (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1)) {
    throw new TypeError(`listSockets: procNet.maxRecordingBytes must be a positive integer (bytes), got ${escapeForDisplay(String(max), 40)}`)
  }
  return max === undefined ? { path } : { path, maxRecordingBytes: max }
}

/** How a listing reads a recording. */
export interface ReadOptions {
  /** Stops the reading between files and chunks: it rejects with the signal's reason. */
  signal?: AbortSignal | null
}

/**
 * Reads the tables of a recording that the query wants, in file order. Every file
 * is parsed whole before anything is returned: a bad line rejects the listing with
 * a KnetstatParseError naming the file, never a partial result.
 */
export async function readRecording(
  procNet: ProcNet,
  wanted: (proto: Proto, family: Family) => boolean,
  options: ReadOptions = {},
): Promise<SocketEntry[]> {
  const signal = options.signal ?? null
  signal?.throwIfAborted()
  const entries: SocketEntry[] = []
  const tables = TABLE_FILES.filter(({ proto, family }) => wanted(proto, family))
  if (typeof procNet === 'string' || 'path' in procNet) {
    const { path: dir, maxRecordingBytes = DEFAULT_MAX_RECORDING_BYTES } = typeof procNet === 'string' ? { path: procNet } : procNet
    const present = await presentFiles(dir)
    for (const { file, proto, family } of tables) {
      if (!present.has(file)) continue
      signal?.throwIfAborted()
      const table = await readTableFile(join(dir, file), { proto, family }, maxRecordingBytes, signal)
      for (const entry of table) entries.push(entry)
    }
  } else {
    for (const { file, proto, family } of tables) {
      const text = procNet[file]
      if (text === undefined) continue
      signal?.throwIfAborted()
      const table = await parseText(text, file, { proto, family }, signal)
      for (const entry of table) entries.push(entry)
    }
  }
  signal?.throwIfAborted()
  return entries
}

/** Characters parsed between two turns of the event loop (about a millisecond of work). */
const TEXT_CHUNK = 64 * 1024

async function parseText(text: string, file: string, hint: { proto: Proto; family: Family }, signal: AbortSignal | null): Promise<SocketEntry[]> {
  const parser = new TableParser(hint)
  try {
    for (let at = 0; at < text.length; at += TEXT_CHUNK) {
      if (at > 0) {
        await breathe()
        signal?.throwIfAborted()
      }
      parser.write(text.length <= TEXT_CHUNK ? text : text.slice(at, at + TEXT_CHUNK))
    }
    return parser.end()
  } catch (error) {
    throw error instanceof KnetstatParseError ? error.inFile(file) : error
  }
}

/** The knetstat files in the recording's directory (lstat only: nothing is opened). */
async function presentFiles(dir: string): Promise<Set<string>> {
  try {
    if (!(await stat(dir)).isDirectory()) {
      throw new ReplayError(`${show(dir)} is not a directory: give the directory holding tcpstat, tcp6stat, udpstat, udp6stat`, 'ENOTDIR', dir)
    }
  } catch (error) {
    if (error instanceof ReplayError) throw error
    const code = errorCode(error)
    throw new ReplayError(`cannot open the recording ${show(dir)} (${code}): ${nodeMessage(error)}`, code, dir, { cause: error })
  }
  const present = new Set<string>()
  for (const { file } of TABLE_FILES) {
    const path = join(dir, file)
    try {
      await lstat(path)
      present.add(file)
    } catch (error) {
      const code = errorCode(error)
      if (code !== 'ENOENT') throw new ReplayError(`cannot read ${show(path)} (${code}): ${nodeMessage(error)}`, code, path, { cause: error })
    }
  }
  if (present.size === 0) {
    throw new ReplayError(
      `no recording in ${show(dir)}: it holds none of tcpstat, tcp6stat, udpstat, udp6stat (record one with \`knetstat record ${show(dir)}\`)`,
      'ENOENT',
      dir,
    )
  }
  return present
}

/**
 * O_NONBLOCK: opening a FIFO swapped in after the lstat returns at once instead of
 * waiting for a writer on a libuv thread. O_NOFOLLOW: a recording cannot point the
 * reader at another file (/etc/shadow) with a symlink. O_NOCTTY: a terminal never
 * becomes the controlling one.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY
/** Bytes read at a time: what one file read holds in memory besides the entries. */
const READ_CHUNK = 64 * 1024

async function readTableFile(path: string, hint: { proto: Proto; family: Family }, limit: number, signal: AbortSignal | null): Promise<SocketEntry[]> {
  // Refused before opening when possible (opening a device can act: a tape rewinds,
  // a watchdog arms); the fstat of the open file below is what decides.
  checkFile(await lstatFile(path), path, limit)
  let handle
  try {
    handle = await open(path, OPEN_FLAGS)
  } catch (error) {
    throw fileError(error, path)
  }
  try {
    checkFile(await handle.stat(), path, limit)
    const parser = new TableParser(hint)
    // ignoreBOM keeps a byte order mark, which is then not the header (as readFile did).
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
    const buffer = Buffer.allocUnsafe(READ_CHUNK)
    let total = 0
    for (;;) {
      signal?.throwIfAborted()
      // At most limit + 1 bytes: a file that grew past the limit since the fstat is caught.
      const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_CHUNK, limit + 1 - total), null)
      if (bytesRead === 0) break
      total += bytesRead
      if (total > limit) throw tooLarge(path, `more than ${limit}`, limit)
      parser.write(decoder.decode(buffer.subarray(0, bytesRead), { stream: true }))
    }
    parser.write(decoder.decode())
    return parser.end()
  } catch (error) {
    throw error instanceof KnetstatParseError ? error.inFile(path) : error
  } finally {
    await handle.close()
  }
}

async function lstatFile(path: string): Promise<Stats> {
  try {
    return await lstat(path)
  } catch (error) {
    throw fileError(error, path)
  }
}

/** Throws unless `st` is a regular file within the limit. */
function checkFile(st: Stats, path: string, limit: number): void {
  if (st.isSymbolicLink()) {
    throw new ReplayError(
      `cannot read ${show(path)} (ELOOP): it is a symbolic link, and a replay reads only regular files, so that a recording cannot make it read another file; copy the file into the recording instead (cp -L)`,
      'ELOOP',
      path,
    )
  }
  if (st.isDirectory()) {
    throw new ReplayError(`cannot read ${show(path)} (EISDIR): it is a directory; a recording's files are regular files written by \`knetstat record\``, 'EISDIR', path)
  }
  if (!st.isFile()) {
    throw new ReplayError(
      `cannot read ${show(path)}: it is ${kind(st)}, not a regular file; a replay reads only regular files (written by \`knetstat record\`), never a FIFO or device that could block or never end`,
      'ERR_KNETSTAT_RECORDING_NOT_FILE',
      path,
    )
  }
  if (st.size > limit) throw tooLarge(path, String(st.size), limit)
}

function kind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isSocket()) return 'a socket'
  return 'not a regular file'
}

function tooLarge(path: string, size: string, limit: number): ReplayError {
  return new ReplayError(
    `cannot read ${show(path)}: it is ${size} bytes, over the limit of ${limit} bytes for a recorded file (maxRecordingBytes); ` +
      'if it is a genuine recording of a host this big, raise the limit: procNet: { path, maxRecordingBytes } (the command: --max-recording-bytes)',
    'ERR_KNETSTAT_RECORDING_TOO_LARGE',
    path,
  )
}

function fileError(error: unknown, path: string): ReplayError {
  const code = errorCode(error)
  if (code === 'ELOOP') return new ReplayError(`cannot read ${show(path)} (ELOOP): it is a symbolic link; a replay reads only regular files (cp -L)`, code, path, { cause: error })
  return new ReplayError(`cannot read ${show(path)} (${code}): ${nodeMessage(error)}`, code, path, { cause: error })
}

/** Node's message of an fs error: it holds the path raw, so it is escaped like one. */
function nodeMessage(error: unknown): string {
  return escapeForDisplay(String((error as Error | null)?.message ?? error), 2048)
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? 'EIO'
}

/** A path in a message: escaped (a file name can hold control characters), long ones clipped. */
function show(path: string): string {
  return escapeForDisplay(path, 1024)
}

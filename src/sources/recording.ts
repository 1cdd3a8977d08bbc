// Recordings: knetstat text saved from a host (see record.ts), read back for users'
// own tests. A directory holding tcpstat, tcp6stat, udpstat, udp6stat (any subset),
// or the same texts as strings.
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Family, Proto, SocketEntry } from '../model.js'
import { KnetstatParseError } from '../text/errors.js'
import { parseKnetstat } from '../text/parse.js'

/** Recorded texts by file name; a table that is left out has no sockets. */
export interface KnetstatTexts {
  tcpstat?: string
  tcp6stat?: string
  udpstat?: string
  udp6stat?: string
}

/** A recording: the path of a directory of knetstat files, or their texts. */
export type ProcNet = string | KnetstatTexts

export const TABLE_FILES: readonly { file: keyof KnetstatTexts; proto: Proto; family: Family }[] = [
  { file: 'tcpstat', proto: 'tcp', family: 4 },
  { file: 'tcp6stat', proto: 'tcp', family: 6 },
  { file: 'udpstat', proto: 'udp', family: 4 },
  { file: 'udp6stat', proto: 'udp', family: 6 },
]

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
    throw new TypeError('listSockets: procNet must be a directory path or { tcpstat, tcp6stat, udpstat, udp6stat } texts')
  }
  const names = TABLE_FILES.map((t) => t.file as string)
  for (const [key, text] of Object.entries(value)) {
    if (!names.includes(key)) throw new TypeError(`listSockets: procNet.${key} is not a knetstat file; the files are ${names.join(', ')}`)
    if (typeof text !== 'string' && text !== undefined) throw new TypeError(`listSockets: procNet.${key} must be the file's text (a string)`)
  }
  return value as KnetstatTexts
}

/**
 * Reads the tables of a recording that the query wants, in file order. Every file
 * is parsed whole before anything is returned: a bad line rejects the listing with
 * a KnetstatParseError naming the file, never a partial result.
 */
export async function readRecording(procNet: ProcNet, wanted: (proto: Proto, family: Family) => boolean): Promise<SocketEntry[]> {
  const texts = typeof procNet === 'string' ? await readDirectory(procNet) : procNet
  const entries: SocketEntry[] = []
  for (const { file, proto, family } of TABLE_FILES) {
    const text = texts[file]
    if (text === undefined || !wanted(proto, family)) continue
    const where = typeof procNet === 'string' ? join(procNet, file) : file
    try {
      entries.push(...parseKnetstat(text, { proto, family }))
    } catch (error) {
      throw error instanceof KnetstatParseError ? error.inFile(where) : error
    }
  }
  return entries
}

async function readDirectory(dir: string): Promise<KnetstatTexts> {
  try {
    if (!(await stat(dir)).isDirectory()) {
      throw new ReplayError(`${dir} is not a directory: give the directory holding tcpstat, tcp6stat, udpstat, udp6stat`, 'ENOTDIR', dir)
    }
  } catch (error) {
    if (error instanceof ReplayError) throw error
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO'
    throw new ReplayError(`cannot open the recording ${dir} (${code}): ${(error as Error).message}`, code, dir, { cause: error })
  }
  const texts: KnetstatTexts = {}
  let found = 0
  for (const { file } of TABLE_FILES) {
    const path = join(dir, file)
    try {
      texts[file] = await readFile(path, 'utf8')
      found++
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO'
      if (code === 'ENOENT') continue
      throw new ReplayError(`cannot read ${path} (${code}): ${(error as Error).message}`, code, path, { cause: error })
    }
  }
  if (found === 0) {
    throw new ReplayError(
      `no recording in ${dir}: it holds none of tcpstat, tcp6stat, udpstat, udp6stat (record one with \`knetstat record ${dir}\`)`,
      'ENOENT',
      dir,
    )
  }
  return texts
}

// record: saves this host's socket tables as knetstat text, for users' fixtures.
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { listSockets } from './list.js'
import { TABLE_FILES } from './sources/recording.js'
import { formatKnetstat } from './text/format.js'

export interface RecordResult {
  /** The files written, in table order. */
  files: string[]
  /** 'module': copied from the kernel module's files; 'listing': formatted from netlink and pidfd. */
  source: 'module' | 'listing'
  /** Sockets written. */
  sockets: number
}

const MODULE_DIR = '/proc/net'

/**
 * Writes tcpstat, tcp6stat, udpstat and udp6stat into `dir` (created if needed):
 * the kernel module's own files when it is loaded, otherwise the tables formatted
 * from a live listing (options through pidfd where permitted). Each file is written
 * whole under a temporary name and renamed, so a reader never sees half a file.
 */
export async function recordTables(dir: string): Promise<RecordResult> {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('recordTables: dir must be the path of a directory')
  const texts = (await moduleTexts()) ?? (await listingTexts())
  await mkdir(dir, { recursive: true })
  const files: string[] = []
  let sockets = 0
  for (const { file } of TABLE_FILES) {
    const text = texts.tables[file] as string
    const path = join(dir, file)
    await writeFile(`${path}.tmp`, text)
    await rename(`${path}.tmp`, path)
    files.push(path)
    sockets += text.split('\n').length - 2
  }
  return { files, source: texts.source, sockets }
}

interface Texts {
  source: RecordResult['source']
  tables: Record<string, string>
}

async function moduleTexts(): Promise<Texts | null> {
  try {
    await access(join(MODULE_DIR, 'tcpstat'))
  } catch {
    return null
  }
  const tables: Record<string, string> = {}
  for (const { file } of TABLE_FILES) tables[file] = await readFile(join(MODULE_DIR, file), 'utf8')
  return { source: 'module', tables }
}

async function listingTexts(): Promise<Texts> {
  const entries = await listSockets({ options: 'auto', tcpInfo: true })
  const tables: Record<string, string> = {}
  for (const { file, proto, family } of TABLE_FILES) {
    tables[file] = formatKnetstat(
      entries.filter((e) => e.proto === proto && e.family === family),
      { proto },
    )
  }
  return { source: 'listing', tables }
}

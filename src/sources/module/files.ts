// The kernel module's files: /proc/net/{tcp,tcp6,udp,udp6}stat in the caller's
// network namespace (or a stand-in directory in tests). Whether they are there, and
// their texts.
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readNetnsText } from '../../netns/files.js'
import type { NetnsTarget } from '../../netns/target.js'
import type { NormalizedQuery } from '../../query.js'
import { TABLE_FILES, type KnetstatTexts } from '../../text/files.js'

/** Where the module's files are: the caller's network namespace. */
export const MODULE_DIR = '/proc/net'

/** The file whose presence says the module is loaded (it stands for all four). */
export function moduleFile(dir: string = MODULE_DIR): string {
  return join(dir, 'tcpstat')
}

/** Whether the module's files exist in `dir`. */
export async function moduleFilesPresent(dir: string = MODULE_DIR): Promise<boolean> {
  try {
    await access(moduleFile(dir))
    return true
  } catch {
    return false
  }
}

/**
 * Reads the module's files the query wants: in `dir`, or with `netns` those of that
 * namespace's /proc/net. Resolves null when the module is gone (a file is absent:
 * not loaded, or unloaded since it was seen).
 */
export async function readModuleTexts(
  query: Pick<NormalizedQuery, 'protos' | 'families'>,
  dir: string = MODULE_DIR,
  netns: NetnsTarget | null = null,
): Promise<KnetstatTexts | null> {
  const wanted = TABLE_FILES.filter((t) => query.protos.includes(t.proto) && query.families.includes(t.family))
  const read = (file: string): Promise<string> => (netns === null ? readFile(join(dir, file), 'utf8') : readNetnsText(netns, join(MODULE_DIR, file)))
  try {
    const texts = await Promise.all(wanted.map((t) => read(t.file)))
    const out: KnetstatTexts = {}
    wanted.forEach((t, i) => {
      out[t.file] = texts[i] as string
    })
    return out
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

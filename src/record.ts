// record: saves this host's socket tables as knetstat text, for users' fixtures.
//
// Root runs this into directories other users can reach (/tmp), so it writes the way
// a root-run tool must (docs/cli.md, "record as root"):
//  - the path to DIR is walked one component at a time, each opened O_NOFOLLOW and
//    then used through its descriptor (/proc/self/fd/N/name, Node's openat), so no
//    component can be swapped for a symlink between the check and the use; a symlink
//    on the way (DIR itself included) is followed only when the caller or root owns
//    it: one another user planted is refused;
//  - each table goes to a temporary name with a random suffix, created
//    O_CREAT|O_EXCL|O_NOFOLLOW (never an existing file or link), mode 0600: a
//    recording holds other users' sockets and options;
//  - the files are fsynced, then renamed over the tables inside DIR (rename replaces
//    a planted link, it never writes through it), then DIR is fsynced;
//  - any error removes the temporary files.
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, mkdir, open, readlink, rename, unlink, type FileHandle } from 'node:fs/promises'
import { listSockets } from './list.js'
import type { Family, Proto } from './model.js'
import { moduleFilesPresent, readModuleTexts } from './sources/module/index.js'
import { TABLE_FILES } from './text/files.js'
import { escapeForDisplay } from './text/escape.js'
import { formatKnetstat } from './text/format.js'

export interface RecordResult {
  /** The files written, in table order. */
  files: string[]
  /** 'module': copied from the kernel module's files; 'listing': formatted from a listing (netlink, with options from bpf or pidfd). */
  source: 'module' | 'listing'
  /** Sockets written. */
  sockets: number
}

/** The mode of recorded files (before the umask): the owner's only. */
export const RECORDING_MODE = 0o600

/** Symlinks followed on the way to DIR before giving up, as the kernel's ELOOP limit. */
const MAX_LINKS = 40

/**
 * Writes tcpstat, tcp6stat, udpstat and udp6stat into `dir` (created if needed, mode
 * 0755 before the umask): the kernel module's own files when it is loaded, otherwise
 * the tables formatted from a live listing (options 'auto': the bpf source as root, pidfd where permitted).
 * The files are mode 0600. Each is written whole under a temporary name and renamed,
 * so a reader never sees half a file. A symlink on the path that neither the caller
 * nor root owns is refused (an Error with code 'ELOOP'), as is a `dir` that is not a
 * directory ('ENOTDIR').
 */
export async function recordTables(dir: string): Promise<RecordResult> {
  if (typeof dir !== 'string' || dir === '' || dir.includes('\0')) {
    throw new TypeError('recordTables: dir must be the path of a directory')
  }
  const texts = (await moduleTexts()) ?? (await listingTexts())
  const handle = await openDirectory(dir)
  const temps: string[] = []
  try {
    const at = (name: string): string => `/proc/self/fd/${handle.fd}/${name}`
    for (const { file } of TABLE_FILES) {
      const temp = `.${file}.${randomBytes(8).toString('hex')}.tmp`
      await writeNew(at(temp), texts.tables[file] as string)
      temps.push(temp)
    }
    // Renamed only once all four are on disk: an error above leaves the old recording whole.
    for (const [i, { file }] of TABLE_FILES.entries()) {
      await rename(at(temps[i] as string), at(file))
      temps[i] = ''
    }
    await handle.sync()
  } catch (error) {
    await Promise.all(temps.filter((t) => t !== '').map((t) => unlink(`/proc/self/fd/${handle.fd}/${t}`).catch(() => {})))
    throw inRecording(dir, error)
  } finally {
    await handle.close()
  }
  let sockets = 0
  for (const { file } of TABLE_FILES) sockets += (texts.tables[file] as string).split('\n').length - 2
  // Not join(): it would fold `link/..` as text, where the kernel follows the link first.
  const inDir = (file: string): string => (dir.endsWith('/') ? `${dir}${file}` : `${dir}/${file}`)
  return { files: TABLE_FILES.map(({ file }) => inDir(file)), source: texts.source, sockets }
}

/** Creates `path` (never an existing file or link), writes `text`, and syncs it. */
async function writeNew(path: string, text: string): Promise<void> {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants
  const file = await open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, RECORDING_MODE)
  try {
    await file.writeFile(text)
    await file.sync()
  } finally {
    await file.close()
  }
}

function failure(code: string, message: string): Error {
  return Object.assign(new Error(message), { code })
}

/** The error of a failed step, saying which recording it was for. */
function inRecording(dir: string, error: unknown): Error {
  const e = error as NodeJS.ErrnoException
  if (e.message?.startsWith('recordTables:')) return e
  const wrapped = failure(e.code ?? 'EIO', `recordTables: cannot write the recording in ${escapeForDisplay(dir)} (${e.code ?? e.message})`)
  return Object.assign(wrapped, { cause: error })
}

/**
 * Opens `dir` as a directory, creating what is missing, one component at a time
 * through the descriptor of the one before: nothing on the path can change under us.
 */
async function openDirectory(dir: string): Promise<FileHandle> {
  const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants
  // O_NONBLOCK: a FIFO planted where a directory should be must not hang the open.
  const flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK
  const caller = process.geteuid?.() ?? 0
  let handle = await open(dir.startsWith('/') ? '/' : '.', flags)
  const names = dir.split('/')
  let walked = dir.startsWith('/') ? '' : '.'
  let links = 0
  try {
    while (names.length > 0) {
      const name = names.shift() as string
      if (name === '' || name === '.') continue
      const at = `/proc/self/fd/${handle.fd}/${name}`
      walked = walked === '' || walked === '/' ? `/${name}` : `${walked}/${name}`
      let stat = await lstat(at).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)))
      if (stat === null) {
        await mkdir(at, 0o755).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)))
        stat = await lstat(at)
      }
      if (stat.isSymbolicLink()) {
        if (stat.uid !== caller && stat.uid !== 0) {
          throw failure(
            'ELOOP',
            `recordTables: ${escapeForDisplay(walked)} is a symbolic link owned by uid ${stat.uid}, not by you or root: ` +
              'another user could have planted it to make you write elsewhere. Give the real directory path',
          )
        }
        if (++links > MAX_LINKS) throw failure('ELOOP', `recordTables: too many symbolic links on the way to ${escapeForDisplay(dir)}`)
        const target = await readlink(at)
        names.unshift(...target.split('/'))
        walked = target.startsWith('/') ? '' : walked.slice(0, walked.lastIndexOf('/'))
        if (target.startsWith('/')) {
          const root = await open('/', flags)
          await handle.close()
          handle = root
        }
        continue
      }
      if (!stat.isDirectory()) {
        throw failure('ENOTDIR', `recordTables: ${escapeForDisplay(walked)} is not a directory; give a directory (it is created if missing)`)
      }
      // O_NOFOLLOW: had the name become a link since the lstat, this fails (ELOOP).
      const next = await open(at, flags)
      await handle.close()
      handle = next
    }
    return handle
  } catch (error) {
    await handle.close()
    throw inRecording(dir, error)
  }
}

interface Texts {
  source: RecordResult['source']
  tables: Record<string, string>
}

/** Every table of the module's files, in this network namespace. */
const ALL_TABLES: { protos: Proto[]; families: Family[] } = { protos: ['tcp', 'udp'], families: [4, 6] }

/** The module's own files when it is loaded; null when it is not (or was unloaded meanwhile). */
async function moduleTexts(): Promise<Texts | null> {
  if (!(await moduleFilesPresent())) return null
  const texts = await readModuleTexts(ALL_TABLES)
  return texts === null ? null : { source: 'module', tables: texts as Record<string, string> }
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

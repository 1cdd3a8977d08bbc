// Servers and temp dirs a test process left behind when it was killed (a signal skips
// its exit handler): each server dir names its owner, and a dir whose owner is gone
// has its processes killed (an nginx worker outlives its master) and is removed.
import { readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PREFIX = 'knetstat-server-'
const OWNER = '.owner'

/** The name mkdtemp gets for a server's dir (swept when its owner is gone). */
export const serverDirPrefix = (name: string): string => join(tmpdir(), `${PREFIX}${name}-`)

/** Marks `dir` as this process's. */
export function claim(dir: string): void {
  writeFileSync(join(dir, OWNER), `${process.pid}\n`)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

let swept = false

/** Once per process: kills what runs in an ownerless server dir and removes the dir. */
export function sweepStale(): void {
  if (swept) return
  swept = true
  const stale: string[] = []
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue
    const dir = join(tmpdir(), name)
    let owner: number
    try {
      owner = Number(readFileSync(join(dir, OWNER), 'utf8'))
    } catch {
      continue // being made, or not ours
    }
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) stale.push(dir)
  }
  if (stale.length === 0) return
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cwd: string
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`)
    } catch {
      continue
    }
    if (stale.some((dir) => cwd === dir || cwd.startsWith(dir + '/'))) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {}
    }
  }
  for (const dir of stale) rmSync(dir, { recursive: true, force: true })
}

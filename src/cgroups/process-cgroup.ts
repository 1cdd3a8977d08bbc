// A process's cgroup v2 path, from /proc/PID/cgroup's `0::PATH` line. The kernel
// writes that line on every host, cgroup v2 mounted or not (a v1-only host shows `0::/`).
import { readFile } from 'node:fs/promises'

/** The `0::` line's path of a /proc/PID/cgroup text, or null when it has none. */
export function parseProcCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) return line.slice(3)
  }
  return null
}

/** The cgroup v2 path of process `pid`, or null when it has exited or cannot be read. */
export async function processCgroupPath(pid: number, proc = '/proc'): Promise<string | null> {
  try {
    return parseProcCgroup(await readFile(`${proc}/${pid}/cgroup`, 'utf8'))
  } catch {
    return null
  }
}

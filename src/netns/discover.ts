// Every network namespace on the host a caller can see: the ones processes are in
// (/proc/PID/ns/net) and the ones bind-mounted (nsfs in the mount table: `ip netns`'s
// /run/netns/NAME, docker's /run/docker/netns/ID, ...), one entry per (device, inode).
//
// Not seen: a namespace no process's main thread is in and nothing bind-mounts, kept
// alive only by an open fd, a socket or a thread that unshared alone. Threads are not
// scanned: /proc/PID/task/*/ns/net would multiply the scan by the thread count for a
// case that tools entering namespaces (setns on one thread, then back) make brief.
import { readlinkSync } from 'node:fs'
import { readdir, readlink, stat } from 'node:fs/promises'
import { breathe } from '../util/breathe.js'
import { readMountInfo, type MountInfo } from './mountinfo.js'
import { namespaceDevice, parseNamespaceLink } from './namespace-file.js'
import { netnsNameOf } from './names.js'

export interface NetworkNamespace {
  inode: number
  device: number
  /** A path that opens it: its bind mount when it has one (a name's first), else /proc/PID/ns/net of its first process. */
  path: string
  /** Its `ip netns` name: the file's name in /run/netns, when it is mounted there. */
  name?: string
  /** Every bind mount of it, in mount table order. */
  mounts: string[]
  /** How many processes (thread group leaders) were seen in it. */
  processCount: number
  /** The lowest pid seen in it, or null when only mounts keep it. */
  firstPid: number | null
  /** Whether it is the caller's own network namespace. */
  own: boolean
}

export interface NamespaceScan {
  /** The caller's own namespace first, then named ones by name, then by inode. */
  namespaces: NetworkNamespace[]
  /** Processes whose namespace could not be read (EACCES: not root and not the caller's user): the namespaces only they are in are missing. */
  unreadable: { count: number; examplePids: number[] }
  /** How many processes were looked at. */
  processesScanned: number
}

export interface ScanOptions {
  /** The proc mount to scan (tests): /proc by default. */
  proc?: string
  /** The mount table, when the caller has read it already. */
  mounts?: MountInfo[]
}

/** Processes read between two turns of the event loop: 128 × 20-40 µs stays near the 5 ms event-loop budget (docs/netns.md). */
const PROCESS_SLICE = 128
const EXAMPLE_PIDS = 10

export async function findNetworkNamespaces(options: ScanOptions = {}): Promise<NamespaceScan> {
  const proc = options.proc ?? '/proc'
  const device = await namespaceDevice()
  const own = parseNamespaceLink(await readlink(`${proc}/self/ns/net`))
  // Keyed by device and inode: one nsfs today, but an inode alone is only unique on its device.
  const byIdentity = new Map<string, NetworkNamespace>()
  const entry = (inode: number, dev: number, path: string): NetworkNamespace => {
    let ns = byIdentity.get(`${dev}:${inode}`)
    if (ns === undefined) {
      ns = { inode, device: dev, path, mounts: [], processCount: 0, firstPid: null, own: inode === own?.inode && dev === device }
      byIdentity.set(`${dev}:${inode}`, ns)
    }
    return ns
  }

  for (const mount of options.mounts ?? (await readMountInfo(`${proc}/self/mountinfo`))) {
    if (mount.fsType !== 'nsfs' || parseNamespaceLink(mount.root)?.type !== 'net') continue
    // The mount point's own stat, not the table's text: the table's device is major:minor text, and the mount may be gone by now.
    const found = await stat(mount.mountPoint).catch(() => null)
    if (found === null) continue
    const ns = entry(found.ino, found.dev, mount.mountPoint)
    ns.mounts.push(mount.mountPoint)
    const name = netnsNameOf(mount.mountPoint)
    if (name !== undefined && ns.name === undefined) {
      ns.name = name
      ns.path = mount.mountPoint
    }
  }

  const unreadable = { count: 0, examplePids: [] as number[] }
  const pids = (await readdir(proc)).filter((n) => /^[1-9]\d*$/.test(n)).map(Number).sort((a, b) => a - b)
  for (let i = 0; i < pids.length; i++) {
    if (i > 0 && i % PROCESS_SLICE === 0) await breathe()
    const pid = pids[i] as number
    let link: string
    try {
      // Sync, in slices: a readlink here is 16-45 us, an async one (a trip through libuv's pool) 50-160 us.
      link = readlinkSync(`${proc}/${pid}/ns/net`)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      // Gone since readdir (ENOENT, ESRCH), or a kernel thread's / zombie's missing link: nothing to find.
      if (code === 'EACCES' || code === 'EPERM') {
        unreadable.count++
        if (unreadable.examplePids.length < EXAMPLE_PIDS) unreadable.examplePids.push(pid)
      }
      continue
    }
    const parsed = parseNamespaceLink(link)
    if (parsed === null) continue
    const ns = entry(parsed.inode, device, `${proc}/${pid}/ns/net`)
    ns.processCount++
    ns.firstPid ??= pid
  }

  const namespaces = [...byIdentity.values()].sort(
    (a, b) => Number(b.own) - Number(a.own) || (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff') || a.inode - b.inode,
  )
  return { namespaces, unreadable, processesScanned: pids.length }
}

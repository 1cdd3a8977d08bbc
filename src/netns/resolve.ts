// A query's `netns` value → the file to enter and the namespace it is:
//   'NAME'                          → /run/netns/NAME (`ip netns add NAME`)
//   '/path' (anything with a '/')   → that file: /run/netns/NAME, /proc/PID/ns/net, any nsfs bind mount
//   PID (a number)                  → /proc/PID/ns/net
// Every failure is a NetnsError saying what was asked, where it was looked for, and what to do.
import { lstat, stat } from 'node:fs/promises'
import { didYouMean } from '../util/suggest.js'
import { NetnsError } from './errors.js'
import { readMountInfo, type MountInfo } from './mountinfo.js'
import { inspectNamespaceFile } from './namespace-file.js'
import { NETNS_RUN_DIR, isNetnsName, listNetnsNames, netnsNameOf } from './names.js'

export type NetnsSpec = string | number

export interface ResolvedNetns {
  /** The file to open to enter it. */
  path: string
  inode: number
  device: number
  /** Its `ip netns` name, when the spec was one or the path is in /run/netns. */
  name?: string
  /** The process, when the spec was a pid. */
  pid?: number
}

/** Names listed in a "no such name" message; more are counted. */
const NAMES_SHOWN = 10

export async function resolveNetnsSpec(spec: NetnsSpec): Promise<ResolvedNetns> {
  if (typeof spec === 'number') {
    if (!Number.isSafeInteger(spec) || spec <= 0) {
      throw new NetnsError('invalid', spec, null, `netns ${spec} is not a process id: a pid is a positive integer (or give a name, or a path such as /proc/PID/ns/net)`)
    }
    return { ...(await resolvePath(spec, `/proc/${spec}/ns/net`)), pid: spec }
  }
  if (typeof spec !== 'string') {
    throw new NetnsError('invalid', String(spec), null, `netns must be a name, a path or a pid, not ${typeof spec}`)
  }
  if (spec.includes('/')) {
    const resolved = await resolvePath(spec, spec)
    const name = netnsNameOf(spec)
    return name === undefined ? resolved : { ...resolved, name }
  }
  if (!isNetnsName(spec)) {
    throw new NetnsError('invalid', spec, null, `netns '${spec}' is not a namespace name (as \`ip netns add\` makes in ${NETNS_RUN_DIR}), a path or a pid`)
  }
  return { ...(await resolvePath(spec, `${NETNS_RUN_DIR}/${spec}`)), name: spec }
}

async function resolvePath(spec: NetnsSpec, path: string): Promise<Omit<ResolvedNetns, 'name' | 'pid'>> {
  let mounts: MountInfo[] | undefined
  const mountTable = async (): Promise<MountInfo[]> => (mounts ??= await readMountInfo())
  let identity
  try {
    identity = await inspectNamespaceFile(path, mountTable)
  } catch (cause) {
    throw await explainFailure(spec, path, cause)
  }
  if (identity === null) throw await notANamespace(spec, path)
  if (identity.type === null) {
    throw new NetnsError('not-a-network-namespace', spec, path, `${path} is a namespace file, but no mount in this mount namespace says of what type: pass /proc/PID/ns/net of a process in it, or its bind mount (/run/netns/NAME)`)
  }
  if (identity.type !== 'net') {
    throw new NetnsError('not-a-network-namespace', spec, path, `${path} is a ${identity.type} namespace, not a network one: pass /proc/PID/ns/net, or a network namespace's bind mount (/run/netns/NAME)`)
  }
  return { path, inode: identity.inode, device: identity.device }
}

/** ENOENT, EACCES and others, opening `path`, in words. */
async function explainFailure(spec: NetnsSpec, path: string, cause: unknown): Promise<NetnsError> {
  const code = (cause as NodeJS.ErrnoException).code
  if (code === 'EACCES' || code === 'EPERM') {
    return new NetnsError('permission', spec, path, `permission denied reading ${path}: a process's namespace needs ptrace access to it (its own user, or root / CAP_SYS_PTRACE in its user namespace), and entering any namespace needs CAP_SYS_ADMIN`, { cause })
  }
  if (code !== 'ENOENT' && code !== 'ESRCH' && code !== 'ENOTDIR') {
    return new NetnsError('no-such-path', spec, path, `${path} cannot be read (${code ?? String(cause)})`, { cause })
  }
  if (typeof spec === 'number') {
    return new NetnsError('no-such-process', spec, path, `no process ${spec} (${path} does not exist): it has exited, or lives in another pid namespace than this /proc's; pass the pid of a running process in the namespace`, { cause })
  }
  if (spec.includes('/')) {
    const pid = /^\/proc\/(\d+)\//.exec(path)?.[1]
    const what = pid !== undefined ? `no process ${pid} (it has exited?)` : 'no such file'
    return new NetnsError(pid !== undefined ? 'no-such-process' : 'no-such-path', spec, path, `${path}: ${what}; pass /run/netns/NAME, /proc/PID/ns/net of a running process, or a namespace's bind mount`, { cause })
  }
  return new NetnsError('no-such-name', spec, path, await noSuchNameMessage(spec))
}

async function noSuchNameMessage(name: string): Promise<string> {
  const names = await listNetnsNames()
  const known =
    names.length === 0
      ? `there are none (no ${NETNS_RUN_DIR}, or it is empty)`
      : `the names there: ${names.slice(0, NAMES_SHOWN).join(', ')}${names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : ''}`
  const pid = /^[1-9]\d*$/.test(name) && (await exists(`/proc/${name}`)) ? `; for the namespace of process ${name}, pass the number ${name} or /proc/${name}/ns/net` : ''
  return `no network namespace named '${name}' in ${NETNS_RUN_DIR}${didYouMean(name, names)}: ${known}${pid}. \`ip netns list\` lists them, \`ip netns add ${name}\` makes one`
}

/** Not on nsfs: a stale `ip netns` file (its mount gone), or any other file. */
async function notANamespace(spec: NetnsSpec, path: string): Promise<NetnsError> {
  const name = netnsNameOf(path)
  const stale = name !== undefined && (await lstat(path)).isFile()
  const what = stale
    ? `is left from a namespace that is gone (nothing is mounted on it): \`ip netns delete ${name}\` removes it`
    : 'is not a namespace file (not on nsfs)'
  return new NetnsError('not-a-namespace', spec, path, `${path} ${what}; pass /run/netns/NAME, /proc/PID/ns/net or a namespace's bind mount`)
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

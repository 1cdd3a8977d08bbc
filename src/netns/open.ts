// A query's one namespace (a name, a path, a pid), resolved and opened for a listing,
// with its name found where it has one, and whether it is the caller's own (which is
// read without entering it: an unprivileged caller could not enter even its own).
import { netnsNameForInode } from './names.js'
import { ownNetnsInode } from './namespace-file.js'
import { resolveNetnsSpec } from './resolve.js'
import { closeNetns, openNetns, type NetnsTarget } from './target.js'

export interface OpenedNetns {
  target: NetnsTarget
  /** The caller's own namespace: sources read it as the caller's. */
  own: boolean
}

/** Resolves and opens `spec`; throws NetnsError. Close with closeNetns(opened.target). */
export async function openNetnsSpec(spec: string | number): Promise<OpenedNetns> {
  const resolved = await resolveNetnsSpec(spec)
  const target = openNetns({ ...resolved, name: resolved.name ?? (await netnsNameForInode(resolved.inode)) }, spec)
  return { target, own: target.inode === (await ownNetnsInode()) }
}

/** `work` with `spec` open: given the namespace to read in, null for the caller's own. */
export async function inNetnsSpec<T>(spec: string | number, work: (netns: NetnsTarget | null) => Promise<T>): Promise<T> {
  const { target, own } = await openNetnsSpec(spec)
  try {
    return await work(own ? null : target)
  } finally {
    closeNetns(target)
  }
}

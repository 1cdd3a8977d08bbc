// Raw dumps for test/churn: the kernel's records as they come, without the
// library's de-duplication, to measure how often a dump repeats a socket.
import { loadBinding } from '../../src/native/load.js'
import { normalizeQuery } from '../../src/query.js'
import { alignedViews, dumpRequests, R } from '../../src/sources/netlink/index.js'

export interface RawDumpCount {
  records: number
  /** Records whose (protocol, family, cookie) an earlier record of the same dump had. */
  duplicateCookies: number
  /** Records with a non-zero inode an earlier record of the same dump had. */
  duplicateInodes: number
  interrupted: boolean
}

/** One dump of every TCP and UDP socket (the requests listSockets({}) sends), counted raw. */
export async function countRawDump(batchBytes = 128 * 1024): Promise<RawDumpCount> {
  const binding = loadBinding()
  const handle = binding.openDumpCursor(dumpRequests(normalizeQuery({})))
  const cookies = new Set<string>()
  const inodes = new Set<number>()
  const count: RawDumpCount = { records: 0, duplicateCookies: 0, duplicateInodes: 0, interrupted: false }
  for (;;) {
    const batch = await binding.readDumpCursor(handle, batchBytes)
    if (batch.interrupted) count.interrupted = true
    const { u8, u32, u64 } = alignedViews(batch.records)
    for (let at = 0; at < u8.byteLength; at += u32[(at + R.size) >>> 2] as number) {
      count.records++
      const key = `${u8[at + R.protocol]}/${u8[at + R.family]}/${u64[(at + R.cookie) >>> 3]}`
      if (cookies.has(key)) count.duplicateCookies++
      else cookies.add(key)
      const inode = u32[(at + R.inode) >>> 2] as number
      if (inode !== 0) {
        if (inodes.has(inode)) count.duplicateInodes++
        else inodes.add(inode)
      }
    }
    if (batch.done) return count
  }
}

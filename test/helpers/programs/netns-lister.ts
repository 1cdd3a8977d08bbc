// Lists sockets with the query in KNETSTAT_QUERY (JSON) as whoever runs it (tests
// run it as uid 65534) and prints the entries' namespaces and options, and the
// namespaces reported as unreadable, as one JSON line.
import { listSockets } from '../../../src/list.js'
import type { ListQuery } from '../../../src/query.js'

const query = JSON.parse(process.env.KNETSTAT_QUERY ?? '{}') as ListQuery
const errors: { reason: string; message: string; inode: number | null }[] = []
try {
  const entries = await listSockets({ ...query, onNetnsError: (e) => errors.push({ reason: e.reason, message: e.message, inode: e.netns?.inode ?? null }) })
  const listed = entries.map((e) => ({ inode: e.inode, netns: e.netns, state: e.state, port: e.local.port, optionsSource: e.optionsSource, options: e.options, optionsError: e.optionsError }))
  process.stdout.write(JSON.stringify({ listed, errors }) + '\n')
} catch (error) {
  const e = error as NodeJS.ErrnoException
  process.stdout.write(JSON.stringify({ failed: { name: e.name, code: e.code, message: e.message }, errors }) + '\n')
}

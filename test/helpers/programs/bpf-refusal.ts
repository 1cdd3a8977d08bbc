// Run as an unprivileged user (test/bpf/privileges.test.ts): what options 'bpf' rejects
// with, and where 'auto' takes options from instead. Prints one JSON object.
import { listSockets } from '../../../src/index.js'

let refusal: { code?: string; message: string } | null = null
try {
  await listSockets({ proto: 'tcp', options: 'bpf' })
} catch (error) {
  const e = error as NodeJS.ErrnoException
  refusal = { code: e.code, message: e.message }
}
const auto = await listSockets({ proto: 'tcp' })
const sources = [...new Set(auto.map((e) => e.optionsSource))]
process.stdout.write(JSON.stringify({ refusal, sources }))

#!/usr/bin/env node
// The knetstat command: the host's sockets in the knetstat text format.
import { listSockets } from '../list.js'
import { formatTables } from './tables.js'

async function main(): Promise<number> {
  const entries = await listSockets()
  process.stdout.write(formatTables(entries))
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`knetstat: ${message}\n`)
    process.exitCode = 1
  },
)

// The sockets of test/helpers/table_sockets.py, typed: what the table tests look at.
import { fileURLToPath } from 'node:url'
import { holdSockets, type Held } from './child.js'

export interface TableSockets {
  pid: number
  ports: { listen4: number; client4: number; listen6: number; udp4: number; udp6: number }
}

const SCRIPT = fileURLToPath(new URL('./table_sockets.py', import.meta.url))

export function holdTableSockets(): Promise<Held<TableSockets>> {
  return holdSockets<TableSockets>('python3', [SCRIPT])
}

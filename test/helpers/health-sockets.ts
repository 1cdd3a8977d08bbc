// The sockets of test/helpers/health_sockets.py, held by a child process.
import { fileURLToPath } from 'node:url'
import { holdSockets, type Held } from './child.js'

export type Label = 'full' | 'nearly' | 'idle' | 'tuned' | 'plain' | 'window' | 'window.writer' | 'window.reader'

export interface HealthSockets {
  pid: number
  ports: Record<Label, number>
  backlogs: Record<'full' | 'nearly' | 'idle' | 'tuned' | 'plain' | 'window', number>
  waiting: { nearly: number }
}

export const HEALTH_SOCKETS = fileURLToPath(new URL('./health_sockets.py', import.meta.url))

export function holdHealthSockets(): Promise<Held<HealthSockets>> {
  return holdSockets<HealthSockets>('python3', [HEALTH_SOCKETS])
}

/** The holder's listening ports (outside the ephemeral range): a `port` query on these sees its sockets and no others. */
export function listenerPorts(info: HealthSockets): number[] {
  return (Object.keys(info.backlogs) as (keyof HealthSockets['backlogs'])[]).map((label) => info.ports[label])
}

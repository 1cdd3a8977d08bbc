// The sockets of test/helpers/socket_zoo.py (real sockets in known states), held by a child process.
import { fileURLToPath } from 'node:url'
import { holdSockets, type Held } from './child.js'

export interface ZooSocket {
  label: string
  inode: number
  local: [string, number]
  remote: [string, number]
}
export interface Zoo {
  pid: number
  uid: number
  sendqWritten: number
  sockets: ZooSocket[]
}

export function openZoo(options: { uid?: number; gid?: number } = {}): Promise<Held<Zoo>> {
  return holdSockets<Zoo>('python3', [fileURLToPath(new URL('./socket_zoo.py', import.meta.url))], options)
}

/** The zoo's socket of `label` (e.g. 'tcp4.listen'); an error when there is none. */
export function zooSocket(zoo: Zoo, label: string): ZooSocket {
  const s = zoo.sockets.find((x) => x.label === label)
  if (s === undefined) throw new Error(`no socket ${label} in the zoo`)
  return s
}

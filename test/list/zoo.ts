import { fileURLToPath } from 'node:url'
import { holdSockets, type Held } from '../helpers/child.js'

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
  return holdSockets<Zoo>('python3', [fileURLToPath(new URL('../helpers/socket_zoo.py', import.meta.url))], options)
}

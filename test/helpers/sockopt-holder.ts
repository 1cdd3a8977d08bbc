// The Python socket holders of test/helpers/sockopt_holder.py, typed.
import { fileURLToPath } from 'node:url'
import { holdSockets, type Held } from './child.js'

export interface HeldSocket {
  label: string
  inode: number
  fd: number
  port: number
  family: 4 | 6
  /** TCP_DEFER_ACCEPT as the holder's own getsockopt reads it back. */
  defer?: number
  /** SO_RCVBUF / SO_SNDBUF as the holder's own getsockopt reads them back (the kernel's doubled size). */
  rcvbuf?: number
  sndbuf?: number
}

export interface Holder {
  pid: number
  uid: number
  sockets: HeldSocket[]
  forkedPid?: number
  receiverPid?: number
  receivedFd?: number
}

export const SOCKOPT_HOLDER = fileURLToPath(new URL('./sockopt_holder.py', import.meta.url))

export function holdOptions(mode: 'options' | 'plain' | 'holders' | 'echo' | 'defaults', options: { uid?: number; gid?: number } = {}): Promise<Held<Holder>> {
  return holdSockets<Holder>('python3', [SOCKOPT_HOLDER, mode], options)
}

export function socketOf(holder: Holder, label: string): HeldSocket {
  const s = holder.sockets.find((x) => x.label === label)
  if (s === undefined) throw new Error(`no socket ${label} held`)
  return s
}

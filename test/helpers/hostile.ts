// Hostile text for terminal tests: what a local user can make root's knetstat print.
import { fileURLToPath } from 'node:url'
import { holdSockets, type Held } from './child.js'
import { NOBODY } from './nobody.js'

/**
 * Nothing a terminal would act on or hide may appear in escaped text: controls (Cc),
 * format characters (Cf, bidi among them), line and paragraph separators, lone surrogates.
 */
export const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u

/**
 * Characters that act on a terminal or reorder text: C0 (but \t and \n, which the
 * command's own layout uses), DEL, C1, bidi controls and other format characters,
 * line and paragraph separators, lone surrogates.
 */
export const UNSAFE_FOR_TERMINAL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u

/** Names a process can give itself (comm holds at most 15 bytes). */
export const HOSTILE_NAMES: readonly { label: string; bytes: Buffer }[] = [
  { label: 'OSC title + BEL', bytes: Buffer.from('\x1b]0;OWN\x07', 'latin1') },
  { label: 'CSI clear screen', bytes: Buffer.from('x\x1b[2J\x1b[H', 'latin1') },
  { label: 'C1 CSI (U+009B)', bytes: Buffer.from([0xc2, 0x9b, 0x32, 0x4a]) },
  { label: 'bidi override (U+202E)', bytes: Buffer.from('a\u202egnp.exe', 'utf8') },
  { label: 'quote, backslash, CR', bytes: Buffer.from('a"b\\c\rd', 'latin1') },
]

export interface HostileHolder {
  pid: number
  port: number
  inode: number
  /** comm as the kernel gives it back, hex. */
  comm: string
}

/** A process (as `uid`, default nobody) named `name`, holding a TCP listener with TCP_NODELAY set. */
export function holdHostile(name: Buffer, uid = NOBODY): Promise<Held<HostileHolder>> {
  const script = fileURLToPath(new URL('./hostile_comm.py', import.meta.url))
  return holdSockets<HostileHolder>('python3', [script, name.toString('hex')], { uid, gid: uid })
}

// Hostile text for terminal tests: what a local user can make root's knetstat print.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { holdSockets, type Held } from './child.js'

export const NOBODY = 65534
export const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))

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

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the built command; `asUser`: through setpriv with these arguments (e.g. --reuid=65534). */
export function knetstat(args: string[], asUser: string[] = [], env: Record<string, string> = {}): Run {
  const argv = [process.execPath, MAIN, ...args]
  const [command, ...rest] = asUser.length === 0 ? argv : ['setpriv', ...asUser, '--', ...argv]
  const r = spawnSync(command as string, rest, { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '', ...env } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Runs the command until its stdout holds `until`, then interrupts it (SIGINT, as at a terminal). */
export function knetstatUntil(args: string[], until: (out: string) => boolean): Promise<string> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '' } })
  let out = ''
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      out += chunk
      if (until(out)) child.kill('SIGINT')
    })
    child.once('error', reject)
    child.once('exit', () => resolve(out))
  })
}

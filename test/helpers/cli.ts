// The built command (dist/cli/main.js, from `npm run build`) run as a child process,
// as from a shell: colour off unless a test asks for it.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Added to the environment (after NO_COLOR='' and without FORCE_COLOR). */
  env?: Record<string, string>
  /** Run through setpriv with these arguments (e.g. --reuid=65534). */
  asUser?: string[]
}

/** The runner's environment with NO_COLOR empty and no FORCE_COLOR (a CI may set it), then `extra`. */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _ignored, ...env } = process.env
  return { ...env, NO_COLOR: '', ...extra }
}

/** Runs the built command to its end. */
export function knetstat(args: string[], options: RunOptions = {}): Run {
  const argv = [process.execPath, MAIN, ...args]
  const asUser = options.asUser ?? []
  const [command, ...rest] = asUser.length === 0 ? argv : ['setpriv', ...asUser, '--', ...argv]
  const r = spawnSync(command as string, rest, { encoding: 'utf8', maxBuffer: 1 << 30, env: plainEnv(options.env) })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Runs the command until its stdout holds `until`, then interrupts it (SIGINT, as at a terminal). */
export function knetstatUntil(args: string[], until: (out: string) => boolean): Promise<string> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: plainEnv() })
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

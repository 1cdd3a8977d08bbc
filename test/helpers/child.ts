// Child processes of tests: holders that print one JSON line when ready and hold their
// sockets until their stdin closes, and commands run to their end.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { createInterface } from 'node:readline'

/** The TypeScript loader tap runs tests with: `node --import TS_LOADER file.ts` runs a .ts file. */
export const TS_LOADER = import.meta.resolve('@tapjs/typescript/import')

export interface Held<T> {
  info: T
  child: ChildProcess
  /** Closes stdin and waits for the child to exit. */
  close(): Promise<void>
}

/**
 * The first line of `child`'s stdout that `isReady` accepts; every line before and
 * after it goes to `onLine`. Rejects when the child cannot start or exits first.
 */
export function readyLine(
  child: ChildProcess,
  what: string,
  isReady: (line: string) => boolean = () => true,
  onLine?: (line: string) => void,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    let ready = false
    rl.on('line', (l) => {
      if (!ready && isReady(l)) {
        ready = true
        if (onLine === undefined) rl.close()
        resolve(l)
      } else onLine?.(l)
    })
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`${what} exited (${code ?? signal}) before it was ready`))
    })
  })
}

export async function holdSockets<T>(command: string, args: readonly string[], options: { uid?: number; gid?: number } = {}): Promise<Held<T>> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], ...options })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const line = await readyLine(child, command)
  return {
    info: JSON.parse(line) as T,
    child,
    async close() {
      child.stdin?.end()
      await exited
    },
  }
}

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `argv` to its end (stdin closed), collecting its exit code and output. */
export async function runToEnd(argv: readonly string[], options: SpawnOptions = {}): Promise<Finished> {
  const child = spawn(argv[0] as string, argv.slice(1), { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  return { code, stdout, stderr }
}

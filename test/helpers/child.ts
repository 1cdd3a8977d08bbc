// Child processes that hold sockets for a test: they print one JSON line when ready
// and hold their sockets until their stdin closes.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface Held<T> {
  info: T
  child: ChildProcess
  /** Closes stdin and waits for the child to exit. */
  close(): Promise<void>
}

export async function holdSockets<T>(command: string, args: readonly string[], options: { uid?: number; gid?: number } = {}): Promise<Held<T>> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], ...options })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    rl.once('line', (l) => {
      rl.close()
      resolve(l)
    })
    child.once('error', reject)
    child.once('exit', (code, signal) => reject(new Error(`${command} exited (${code ?? signal}) before it was ready`)))
  })
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

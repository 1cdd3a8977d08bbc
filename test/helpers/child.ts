// Child processes that hold sockets for a test: they print one JSON line when ready
// and hold their sockets until their stdin closes.
import { spawn, type ChildProcess } from 'node:child_process'
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

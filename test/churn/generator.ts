// The churn generator of test/churn: child processes running churn.py, each in a
// process group of its own, so stop() (and a teardown after a failure) can kill
// every one of them and whatever they spawned.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readyLine } from '../helpers/child.js'

const SCRIPT = fileURLToPath(new URL('./churn.py', import.meta.url))

/** Running totals one churn process reports. */
export interface ChurnTotals {
  t: number
  opened: number
  failed: number
  udp: number
  closes: Record<string, number>
}

export interface ChurnPlan {
  /** Processes holding the base population, and established pairs each holds (2 fds a pair). */
  holders: number
  pairsPerHolder: number
  udpPerHolder: number
  /** Processes opening and closing connections. */
  churners: number
  /** Connections a second each churner aims at (0: as fast as it can). */
  ratePerChurner: number
}

export interface Churn {
  /** Connections opened (connect + accept) by all churners so far, and over how long. */
  totals(): { opened: number; failed: number; udp: number; seconds: number; closes: Record<string, number> }
  /** Stops every process (stdin closed, then SIGKILL to its group) and waits for them. */
  stop(): Promise<void>
}

interface Child {
  child: ChildProcess
  exited: Promise<void>
  last: ChurnTotals | null
}

/** Spawns one churn.py, recorded in `into` at once so a failed start is cleaned up too. */
function start(args: string[], into: Child[]): Promise<Child> {
  const child = spawn('python3', [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'inherit'], detached: true })
  // 'error' without 'exit' when python3 cannot be spawned at all.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  // Closing the stdin of a child that died already must not throw in the test.
  child.stdin?.on('error', () => undefined)
  const entry: Child = { child, exited, last: null }
  into.push(entry)
  const isReady = (line: string): boolean => (JSON.parse(line) as { ready?: boolean }).ready === true
  const totals = (line: string): void => {
    const message = JSON.parse(line) as Partial<ChurnTotals>
    if (typeof message.opened === 'number') entry.last = message as ChurnTotals
  }
  return readyLine(child, `churn.py ${args.join(' ')}`, isReady, totals).then(() => entry)
}

function kill(entry: Child): Promise<void> {
  const { child } = entry
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    child.stdin?.end()
    try {
      // The negative pid: the child's whole process group (it was spawned detached).
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Gone already.
    }
  }
  return entry.exited
}

/** Starts the holders (waiting until their population is up), then the churners. */
export async function startChurn(plan: ChurnPlan): Promise<Churn> {
  const children: Child[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(kill))
  }
  try {
    await Promise.all(
      Array.from({ length: plan.holders }, () => start(['hold', String(plan.pairsPerHolder), String(plan.udpPerHolder)], children)),
    )
    const churners = await Promise.all(
      Array.from({ length: plan.churners }, (_, i) => start(['churn', String(i + 1), String(plan.ratePerChurner)], children)),
    )
    return {
      totals() {
        let opened = 0
        let failed = 0
        let udp = 0
        let seconds = 0
        const closes: Record<string, number> = {}
        for (const c of churners) {
          if (c.last === null) continue
          opened += c.last.opened
          failed += c.last.failed
          udp += c.last.udp
          seconds = Math.max(seconds, c.last.t)
          for (const [k, v] of Object.entries(c.last.closes)) closes[k] = (closes[k] ?? 0) + v
        }
        return { opened, failed, udp, seconds, closes }
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

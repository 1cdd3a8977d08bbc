// The built command in a real terminal: a detached tmux session of a fixed size runs
// it, and the test reads the screen as a person would see it (capture-pane).
import { execFileSync, spawnSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { MAIN } from './cli.js'

export const hasTmux = (): boolean => spawnSync('tmux', ['-V']).status === 0

/** Marks the end of a command that printed once: the session stays for capture-pane. */
export const DONE = '[knetstat exited'

let sessions = 0

export class Terminal {
  readonly name = `knetstat-table-${process.pid}-${++sessions}`

  /**
   * Starts `knetstat args` at width x height. The environment has no NO_COLOR or
   * FORCE_COLOR but those in `env`, whatever the test runner's is.
   */
  constructor(width: number, height: number, args: readonly string[], env: Record<string, string> = {}) {
    const assignments = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`)
    const command = ['env', '-u', 'NO_COLOR', '-u', 'FORCE_COLOR', ...assignments, quote(process.execPath), quote(MAIN), ...args.map(quote)].join(' ')
    tmux('new-session', '-d', '-s', this.name, '-x', String(width), '-y', String(height), `${command}; echo "${DONE} $?]"; exec sleep 600`)
  }

  /** The visible screen, lines joined where the terminal wrapped them (-J); with `escapes`, colours as escape codes (-e). */
  screen(escapes = false): string {
    return tmux('capture-pane', '-p', '-J', ...(escapes ? ['-e'] : []), '-t', this.name)
  }

  async waitFor(what: string, test: (screen: string) => boolean, seconds = 30): Promise<string> {
    const deadline = Date.now() + seconds * 1000
    let s = ''
    while (Date.now() < deadline) {
      s = this.screen()
      if (test(s)) return s
      await sleep(100)
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${s}`)
  }

  /** Waits for a command that prints once to exit; its screen, without the end mark. */
  async finished(escapes = false): Promise<string> {
    await this.waitFor('the command to exit', (s) => s.includes(DONE))
    const s = this.screen(escapes)
    return s.slice(0, s.indexOf(DONE)).replace(/\n+$/, '\n')
  }

  close(): void {
    spawnSync('tmux', ['kill-session', '-t', this.name])
  }
}

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' })
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

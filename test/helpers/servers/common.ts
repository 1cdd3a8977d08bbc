// What the real-server helpers (postgres.ts, redis.ts, nginx.ts) share: a binary to
// look for, a free port, a temp dir, the server as a child process with its log, the
// wait until it listens, and a stop that always cleans up. Clients: client.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { listSockets } from '../../../src/index.js'
import { NOBODY } from '../nobody.js'
import type { Client } from './client.js'
import { claim, serverDirPrefix, sweepStale } from './stale.js'

/** How long a server may take to listen, and to exit when stopped. */
export const START_TIMEOUT_MS = 15_000
export const STOP_TIMEOUT_MS = 10_000

export interface Server<Config extends string> {
  name: string
  config: Config
  port: number
  /** The main process (postmaster, redis-server, nginx master): it holds the listener. */
  pid: number
  /** The temp dir with the config, data and log; removed by stop(). */
  dir: string
  /** What the server wrote to stdout and stderr (its last 64 KiB). */
  log(): string
  /** Opens `n` connections, each through the protocol's handshake so the server has configured its socket. */
  connect(n: number): Promise<Client[]>
  /** Resets every client connect() opened: the server is then idle. */
  closeClients(): void
  /** Resets the clients, stops the server (its whole process group) and removes its dir. Idempotent. */
  stop(): Promise<void>
}

/** The first of `paths` that is executable, else null (the tests skip saying which package to install). */
export function findBinary(paths: readonly string[]): string | null {
  for (const p of paths) {
    try {
      accessSync(p, constants.X_OK)
      return p
    } catch {}
  }
  return null
}

/**
 * A port in 20000-30000 (below the ephemeral range, so no client's port collides) that
 * is free now: these servers bind it themselves, so it can only be probed, not held.
 * launch() retries with another when a parallel test took it meanwhile.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 10001)
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer()
      s.once('error', () => resolve(false))
      s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)))
    })
    if (free) return port
  }
  throw new Error('no free port in 20000-30000 after 200 tries')
}

/** A temp dir owned by `uid` (mode 0700) and claimed by this process: the server's config, data, sockets and log. */
export async function tempDir(name: string, uid = NOBODY): Promise<string> {
  sweepStale()
  const dir = await mkdtemp(serverDirPrefix(name))
  claim(dir)
  await chown(dir, uid, uid)
  return dir
}

// Process groups still running when the test process exits (a failed test, an
// exception): killed then, so no server outlives its test (stale.ts sweeps after a signal).
const running = new Set<number>()
process.once('exit', () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL')
    } catch {}
  }
})

export interface Launch<Config extends string> {
  name: string
  config: Config
  /** The caller's port; absent: a free one (retried on a collision). */
  port?: number
  /** Writes the config into `dir` for `port` and returns the argv to run. */
  prepare(dir: string, port: number): Promise<string[]>
  /** The user the server runs as (default 65534, as packages run servers unprivileged; PostgreSQL refuses root); root for nginx, whose master drops to `user` itself. */
  uid?: number
  /** Ready once the log says so too (PostgreSQL listens before it accepts logins). */
  readyLog?: RegExp
  /** The signal that stops the server at once, closing its connections (its docs' "fast" shutdown). */
  stopSignal: NodeJS.Signals
  /** One client through the protocol's handshake. */
  handshake(port: number): Promise<Client>
}

/** Starts a server and waits until it listens; a server that fails to start throws with its log. */
export async function launch<Config extends string>(spec: Launch<Config>): Promise<Server<Config>> {
  for (let attempt = 1; ; attempt++) {
    const port = spec.port ?? (await freePort())
    try {
      return await launchOn(spec, port)
    } catch (e) {
      // Probing a port does not hold it: another test may have bound it since.
      if (spec.port !== undefined || attempt === 3 || !/in use/i.test(String(e))) throw e
    }
  }
}

async function launchOn<Config extends string>(spec: Launch<Config>, port: number): Promise<Server<Config>> {
  const uid = spec.uid ?? NOBODY
  const dir = await tempDir(spec.name, uid)
  let child: ChildProcess | undefined
  try {
    const argv = await spec.prepare(dir, port)
    // setpriv: the user, and SIGKILL should the test process die without its exit
    // handler (a signal). detached: its own process group, so stop() reaches workers and backends.
    const as = ['--pdeathsig', 'KILL', ...(uid === 0 ? [] : [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'])]
    child = spawn('setpriv', [...as, '--', ...argv], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: dir },
    })
    // No pid: setpriv itself could not start (and a pid of -1 would make killGroup kill everything).
    if (child.pid === undefined) throw await new Promise<Error>((resolve) => child?.once('error', resolve))
  } catch (e) {
    await rm(dir, { recursive: true, force: true })
    throw e
  }
  const proc = child
  const pid = child.pid
  let log = ''
  const append = (d: Buffer) => (log = (log + d.toString()).slice(-65536))
  proc.stdout?.on('data', append)
  proc.stderr?.on('data', append)
  const exited = new Promise<void>((resolve) => proc.once('close', () => resolve()))
  let gone = false
  proc.once('exit', () => (gone = true))
  proc.once('error', (e) => append(Buffer.from(`spawn: ${e.message}\n`)))
  running.add(pid)

  const clients = new Set<Client>()
  const closeClients = () => {
    for (const c of clients) c.close()
    clients.clear()
  }
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      closeClients()
      if (!gone) proc.kill(spec.stopSignal)
      const timer = setTimeout(() => killGroup(pid), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
      // Workers or backends the main process left behind.
      killGroup(pid)
      running.delete(pid)
      await rm(dir, { recursive: true, force: true })
    })())

  const server: Server<Config> = {
    name: spec.name,
    config: spec.config,
    port,
    pid,
    dir,
    log: () => log,
    async connect(n) {
      const opened: Client[] = []
      try {
        for (let i = 0; i < n; i++) {
          const c = await spec.handshake(port)
          clients.add(c)
          opened.push(c)
        }
      } catch (e) {
        throw new Error(`${spec.name}: a client's handshake failed: ${(e as Error).message}\n--- ${spec.name} log ---\n${log}`)
      }
      return opened
    },
    closeClients,
    stop,
  }
  try {
    await waitUntilListening(server, () => gone, spec.readyLog)
  } catch (e) {
    await stop()
    throw e
  }
  return server
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL')
  } catch {}
}

/** Polls until the server's own process holds a listener on its port (and its log says ready). */
async function waitUntilListening(server: Server<string>, gone: () => boolean, readyLog?: RegExp): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  const why = (what: string) => new Error(`${server.name} (${server.config}) on 127.0.0.1:${server.port} ${what}\n--- ${server.name} log ---\n${server.log()}`)
  for (;;) {
    if (gone()) throw why('exited before it listened')
    if (readyLog === undefined || readyLog.test(server.log())) {
      const listeners = await listSockets({ proto: 'tcp', state: 'LISTEN', localPort: server.port, options: false, processes: true })
      if (listeners.some((e) => e.processes?.some((p) => p.pid === server.pid))) return
    }
    if (Date.now() > deadline) throw why(`did not listen within ${START_TIMEOUT_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// PostgreSQL 15 (Debian's postgresql-15) run as uid 65534 on a cluster made by initdb
// in a temp dir, and clients that log in over raw TCP (protocol 3.0 startup, trust).
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { NOBODY } from '../nobody.js'
import { findBinary, launch, tempDir, type Server } from './common.js'
import { rawClient } from './client.js'

const BIN = '/usr/lib/postgresql/15/bin'
export const POSTGRES = findBinary([`${BIN}/postgres`])
const INITDB = findBinary([`${BIN}/initdb`])
export const POSTGRES_MISSING =
  POSTGRES === null || INITDB === null ? `PostgreSQL 15 is not installed in ${BIN} (apt-get install --no-install-recommends postgresql-15)` : null

/**
 * healthy: `tcp_keepalives_idle = 60` (its docs: seconds of inactivity before a
 * keepalive; 0, the default, leaves the system's 7200). default-keepalive: that
 * default, which a check expecting 60 catches.
 */
export type PostgresConfig = 'healthy' | 'default-keepalive'

/** The listener's backlog: StreamServerPort() listens with MaxBackends * 2 = (100 connections + 3 autovacuum + 1 launcher + 8 workers + 10 WAL senders) * 2. */
export const POSTGRES_BACKLOG = 244

/** The listener: StreamServerPort() sets SO_REUSEADDR (not on Windows) and nothing else. */
export const POSTGRES_LISTENER = { SO_REUSEADDR: true, SO_KEEPALIVE: false, TCP_NODELAY: false } as const

/**
 * An accepted connection with `tcp_keepalives_idle = 60`: StreamConnection() (pqcomm.c,
 * in the postmaster at accept) sets TCP_NODELAY and SO_KEEPALIVE, then
 * pq_setkeepalivesidle() TCP_KEEPIDLE; tcp_keepalives_interval and _count stay 0,
 * the system's, so unset. SO_REUSEADDR is the listener's, copied by the kernel.
 */
export const POSTGRES_ACCEPTED = {
  SO_REUSEADDR: true,
  TCP_NODELAY: true,
  SO_KEEPALIVE: true,
  TCP_KEEPIDLE: 60,
  TCP_KEEPINTVL: undefined,
  TCP_KEEPCNT: undefined,
} as const

/** With tcp_keepalives_idle at 0 pq_setkeepalivesidle() sets nothing: keepalive on, its idle the system's (not reported). */
export const POSTGRES_ACCEPTED_DEFAULT_KEEPALIVE = { ...POSTGRES_ACCEPTED, TCP_KEEPIDLE: undefined } as const

export const POSTGRES_EXPECTED: Record<PostgresConfig, { listener: typeof POSTGRES_LISTENER; accepted: Record<string, unknown> }> = {
  healthy: { listener: POSTGRES_LISTENER, accepted: POSTGRES_ACCEPTED },
  'default-keepalive': { listener: POSTGRES_LISTENER, accepted: POSTGRES_ACCEPTED_DEFAULT_KEEPALIVE },
}

export interface PostgresOptions {
  config?: PostgresConfig
  port?: number
}

export function startPostgres(options: PostgresOptions = {}): Promise<Server<PostgresConfig>> {
  const config = options.config ?? 'healthy'
  if (POSTGRES === null || INITDB === null) throw new Error(POSTGRES_MISSING ?? '')
  const postgres = POSTGRES
  return launch({
    name: 'postgres',
    config,
    port: options.port,
    async prepare(dir, port) {
      const data = join(dir, 'data')
      await copyCluster(await template(), data)
      const settings = [
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${dir}'`,
        // A test cluster: nothing worth syncing to disk.
        'fsync = off',
        ...(config === 'healthy' ? ['tcp_keepalives_idle = 60'] : []),
      ]
      await appendFile(join(data, 'postgresql.conf'), settings.join('\n') + '\n')
      return [postgres, '-D', data]
    },
    // The log line after which logins succeed (it listens while still starting up).
    readyLog: /database system is ready to accept connections/,
    // SIGINT is "Fast Shutdown": backends are told to exit, connections closed.
    stopSignal: 'SIGINT',
    handshake: (port) => rawClient(port, [{ send: startupMessage('postgres', 'postgres'), until: readyForQuery }]),
  })
}

// initdb takes about a second: one cluster per test process, copied for each server.
let templateDir: Promise<string> | undefined
function template(): Promise<string> {
  return (templateDir ??= (async () => {
    const dir = await tempDir('postgres-template')
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    const data = join(dir, 'data')
    await run([INITDB as string, '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], dir)
    return data
  })())
}

/** cp -a keeps the owner (65534) and the 0700 PostgreSQL demands of its data directory. */
function copyCluster(from: string, to: string): Promise<void> {
  return run(['cp', '-a', from, to], undefined)
}

function run(argv: string[], asNobodyIn: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
      ...(asNobodyIn === undefined ? {} : { uid: NOBODY, gid: NOBODY, cwd: asNobodyIn }),
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} exited ${code}:\n${out}`))))
  })
}

/** A protocol 3.0 StartupMessage: length, version 196608, then name/value pairs and a final NUL. */
function startupMessage(user: string, database: string): Buffer {
  const body = Buffer.from(`user\0${user}\0database\0${database}\0\0`)
  const head = Buffer.alloc(8)
  head.writeInt32BE(8 + body.length, 0)
  head.writeInt32BE(196608, 4)
  return Buffer.concat([head, body])
}

/**
 * Whether the messages so far end the login: ReadyForQuery ('Z') after
 * AuthenticationOk, ParameterStatus and BackendKeyData. An ErrorResponse ('E') throws.
 */
function readyForQuery(reply: Buffer): boolean {
  for (let at = 0; at + 5 <= reply.length; ) {
    const type = String.fromCharCode(reply[at] as number)
    const length = reply.readInt32BE(at + 1)
    if (at + 1 + length > reply.length) return false
    if (type === 'E') throw new Error(`the server refused the login: ${reply.subarray(at + 5, at + 1 + length).toString('latin1').replaceAll('\0', ' ')}`)
    if (type === 'Z') return true
    at += 1 + length
  }
  return false
}

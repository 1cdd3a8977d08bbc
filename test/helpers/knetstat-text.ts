// knetstat text for tests: the table headers (written out here, not taken from src/,
// so a changed header fails the tests), the recorded fixtures under
// test/fixtures/text/, and builders of tables and of the entries the other sources
// would give for the same sockets.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatKnetstat, parseKnetstat, type Family, type Proto, type SocketEntry } from '../../src/index.js'

/** The header line of a TCP table (tcpstat, tcp6stat), without its newline. */
export const TCP_HEADER = 'Recv-Q Send-Q Local Address           Foreign Address         Stat Diag Options'
/** The header line of a UDP table (udpstat, udp6stat), without its newline. */
export const UDP_HEADER = 'Recv-Q Send-Q Local Address           Foreign Address         Options'

/** The recording of test/fixtures/text: tcpstat, tcp6stat, udpstat, udp6stat (and tcpstat.old-module). */
export const TEXT_FIXTURES = fileURLToPath(new URL('../fixtures/text', import.meta.url))

/** The text of one fixture file. */
export function textFixture(name: string): string {
  return readFileSync(join(TEXT_FIXTURES, name), 'utf8')
}

/**
 * Writes `entries` into `dir` as the four tables, tcpstat, tcp6stat, udpstat and
 * udp6stat (each by proto and family, a header alone when none is of it), readable by
 * anyone: a recording, or a stand-in for the kernel module's /proc/net files.
 */
export function writeTables(dir: string, entries: readonly SocketEntry[]): void {
  const files = { tcpstat: ['tcp', 4], tcp6stat: ['tcp', 6], udpstat: ['udp', 4], udp6stat: ['udp', 6] } as const
  for (const [file, [proto, family]] of Object.entries(files)) {
    const text = formatKnetstat(entries.filter((e) => e.proto === proto && e.family === family), { proto })
    writeFileSync(join(dir, file), text, { mode: 0o644 })
  }
}

/** A valid tcpstat of `n` established IPv4 sockets (about 100 bytes a line). */
export function bigTcpTable(n: number): string {
  const lines = [TCP_HEADER]
  for (let i = 0; i < n; i++) {
    const port = 1024 + (i % 60000)
    lines.push(`     0      0 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${port}`.padEnd(38) + ' 10.0.0.1:443            ESTB      SO_REUSEADDR=0,TCP_NODELAY=1')
  }
  return lines.join('\n') + '\n'
}

/** The kernel module's table of `text` (a TCP or UDP table, by its header) for `family`, as joinModule takes it. */
export function moduleTable(text: string, family: Family): { proto: Proto; family: Family; lines: SocketEntry[] } {
  const proto = text.startsWith(TCP_HEADER) ? 'tcp' : 'udp'
  return { proto, family, lines: [...parseKnetstat(text, { proto, family })] }
}

/**
 * Netlink-like entries for the lines of `text`: what sock_diag gives for the same
 * sockets (no options, unknown diag flags), with the inode and uid `ids` gives each.
 */
export function netlinkLike(
  text: string,
  family: 4 | 6,
  ids: (line: SocketEntry, index: number) => { inode: number | null; uid: number | null },
): SocketEntry[] {
  // Netlink has no options, so none this version does not know either.
  return [...parseKnetstat(text, { family })].map(({ otherOptions: _unknown, ...e }, i) => ({
    ...e,
    ...ids(e, i),
    options: null,
    optionsSource: null,
    diag: { sendWindowZero: null, receiveWindowZero: null, ackStalled: null },
  }))
}

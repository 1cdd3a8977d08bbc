// Reads /proc/net/{tcp,tcp6,udp,udp6}: the kernel's own view, to check listings against.
import { readFileSync } from 'node:fs'
import { formatIPv4, formatIPv6 } from '../../src/address.js'

export interface ProcSocket {
  proto: 'tcp' | 'udp'
  family: 4 | 6
  local: { address: string; port: number }
  remote: { address: string; port: number }
  /** Kernel state number. */
  state: number
  sendQ: number
  recvQ: number
  uid: number
  inode: number
}

/** The hex address of /proc/net: 32-bit words in host (little-endian) order. */
function address(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2)
  for (let word = 0; word < hex.length / 8; word++) {
    for (let i = 0; i < 4; i++) {
      bytes[word * 4 + i] = parseInt(hex.slice(word * 8 + (3 - i) * 2, word * 8 + (3 - i) * 2 + 2), 16)
    }
  }
  return bytes.length === 4 ? formatIPv4(bytes) : formatIPv6(bytes)
}

function endpoint(field: string): { address: string; port: number } {
  const [hex, port] = field.split(':') as [string, string]
  return { address: address(hex), port: parseInt(port, 16) }
}

export function readProcNet(file: 'tcp' | 'tcp6' | 'udp' | 'udp6', root = '/proc/net'): ProcSocket[] {
  const lines = readFileSync(`${root}/${file}`, 'utf8').trim().split('\n').slice(1)
  return lines.map((line) => {
    const f = line.trim().split(/\s+/)
    const [tx, rx] = (f[4] as string).split(':') as [string, string]
    return {
      proto: file.startsWith('tcp') ? 'tcp' : 'udp',
      family: file.endsWith('6') ? 6 : 4,
      local: endpoint(f[1] as string),
      remote: endpoint(f[2] as string),
      state: parseInt(f[3] as string, 16),
      sendQ: parseInt(tx, 16),
      recvQ: parseInt(rx, 16),
      uid: Number(f[7]),
      inode: Number(f[9]),
    }
  })
}

export function readAllProcNet(): ProcSocket[] {
  return (['tcp', 'tcp6', 'udp', 'udp6'] as const).flatMap((file) => readProcNet(file))
}

// The system settings the pidfd source reads beside the options: the defaults an
// unset option falls back to (the caller's network namespace), and Yama's ptrace
// scope, which a permission error names.
import { readNetnsTextSync } from '../../netns/files.js'
import type { NetnsTarget } from '../../netns/target.js'

/** The system defaults an unset option falls back to (the caller's network namespace). */
export interface SysctlDefaults {
  tcpKeepaliveTime: number | null
  tcpKeepaliveIntvl: number | null
  tcpKeepaliveProbes: number | null
  /** tcp_rmem[1] / tcp_wmem[1]: a new TCP socket's sk_rcvbuf / sk_sndbuf. */
  tcpRmemDefault: number | null
  tcpWmemDefault: number | null
  /** net.core.rmem_default / wmem_default: a new UDP socket's buffers. */
  rmemDefault: number | null
  wmemDefault: number | null
}

// Read synchronously: a /proc/sys file is a few bytes served from memory, and an
// asynchronous open in flight when a worker_threads Worker is terminated would leave
// its fd open in the process for good.
// Out of descriptors says nothing of the sysctl, and an unknown default would pass a
// default value off as one the process set: that rejects the listing instead.
function readNumbers(path: string, netns: NetnsTarget | null = null): number[] | null {
  try {
    const text = readNetnsTextSync(netns, path)
    const numbers = text.trim().split(/\s+/).map(Number)
    return numbers.every(Number.isFinite) ? numbers : null
  } catch (error) {
    const { code, errno, syscall } = error as NodeJS.ErrnoException
    if (code !== 'EMFILE' && code !== 'ENFILE') return null
    const message = `cannot read ${path} (${code}): no file descriptor is free; close some file descriptors or raise the limit (ulimit -n, RLIMIT_NOFILE; fs.file-max for ENFILE)`
    throw Object.assign(new Error(message, { cause: error }), { code, errno, syscall, path })
  }
}

/** The defaults of the caller's network namespace, or of `netns` (they are per namespace). */
export async function readSysctlDefaults(root = '/proc/sys/net', netns: NetnsTarget | null = null): Promise<SysctlDefaults> {
  const [time, intvl, probes, rmem, wmem, rdef, wdef] = [
    readNumbers(`${root}/ipv4/tcp_keepalive_time`, netns),
    readNumbers(`${root}/ipv4/tcp_keepalive_intvl`, netns),
    readNumbers(`${root}/ipv4/tcp_keepalive_probes`, netns),
    readNumbers(`${root}/ipv4/tcp_rmem`, netns),
    readNumbers(`${root}/ipv4/tcp_wmem`, netns),
    readNumbers(`${root}/core/rmem_default`, netns),
    readNumbers(`${root}/core/wmem_default`, netns),
  ]
  return {
    tcpKeepaliveTime: time?.[0] ?? null,
    tcpKeepaliveIntvl: intvl?.[0] ?? null,
    tcpKeepaliveProbes: probes?.[0] ?? null,
    tcpRmemDefault: rmem?.[1] ?? null,
    tcpWmemDefault: wmem?.[1] ?? null,
    rmemDefault: rdef?.[0] ?? null,
    wmemDefault: wdef?.[0] ?? null,
  }
}

/** kernel.yama.ptrace_scope; null without Yama. */
export async function readYamaScope(): Promise<number | null> {
  return readNumbers('/proc/sys/kernel/yama/ptrace_scope')?.[0] ?? null
}

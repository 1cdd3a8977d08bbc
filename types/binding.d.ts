// The typed contract of the native addon (src-native/, built as knetstat.node).
// Exactly what it exports; src/native/load.ts loads it and the netlink source's
// EntryDecoder (src/sources/netlink/entries.ts) reads the records its dump cursor
// returns (layout: docs/native.md, src-native/diag/record_layout.h).

/**
 * One NETLINK_SOCK_DIAG dump: SOCK_DIAG_BY_FAMILY with struct inet_diag_req_v2, or,
 * for family 0, the TCPDIAG_GETSOCK compatibility request (struct inet_diag_req).
 */
export interface DumpRequest {
  /**
   * AF_INET (2) or AF_INET6 (10); 0 with protocol 6: TCP of both families in one walk of
   * the kernel's tables. Other values go to the kernel, which rejects them (ENOENT/EINVAL).
   */
  family: number
  /** IPPROTO_TCP (6) or IPPROTO_UDP (17); 0..255. */
  protocol: number
  /** idiag_states: bit `1 << state` per wanted kernel state; 0xffffffff for all. */
  states: number
  /**
   * idiag_ext: bit `1 << (INET_DIAG_x - 1)` per wanted reply attribute; 0..255, so only
   * attributes 1..8 (MEMINFO, INFO, VEGASINFO, CONG, TOS, TCLASS, SKMEMINFO, SHUTDOWN).
   * SHUTDOWN, SKV6ONLY, SOCKOPT, MARK (CAP_NET_ADMIN), CGROUP_ID come unasked.
   */
  extensions: number
  /** INET_DIAG_REQ_BYTECODE: a kernel-side filter program (struct inet_diag_bc_op[]). */
  bytecode?: Uint8Array
}

/** A failed dump read, /proc scan or option read rejects with this: shaped like Node core system errors. */
export interface NativeSystemError extends Error {
  /** errno name: 'EPERM', 'ENOENT', 'EPROTONOSUPPORT', 'ENOBUFS', 'EINVAL', 'EBADMSG', 'ETIMEDOUT', … or 'UNKNOWN'. */
  code: string
  /** Negative errno, like Node core errors. */
  errno: number
  /** 'socket' | 'sendmsg' | 'recvmsg' (kernel replies to the request arrive with recvmsg); the /proc scan and the option reader name their own. */
  syscall: string
}

/** What `scanProcFds` resolves with: one pass over /proc/<pid>/fd (src-native/proc/fd_scan.h). */
export interface ProcFdScan {
  /** uint32 (pid, fd, inode) triples, host byte order: every descriptor whose link is `socket:[inode]`. */
  fds: Buffer
  /** uint32 (pid, errno) pairs: processes holding a socket (errno 0) or whose fd directory was refused (EACCES/EPERM). */
  processes: Buffer
  /** /proc/<pid>/comm of each pair of `processes`, in order ("" when unreadable). */
  commands: string[]
  /** Processes whose fd directory was read. */
  scanned: number
}

/** An open pull-based dump (opaque). */
export interface DumpCursorHandle {
  readonly __knetstatDumpCursor: unique symbol
}

/** An open part-at-a-time read of a BPF socket iteration (opaque). */
export interface BpfCursorHandle {
  readonly __knetstatBpfCursor: unique symbol
}

/** One batch of a pull-based dump. */
export interface DumpCursorBatch {
  /** Records (src-native/diag/record_layout.h) back to back, possibly empty. */
  records: Buffer
  /** Every request was dumped: the socket is closed and further reads return nothing. */
  done: boolean
  /** Some message so far carried NLM_F_DUMP_INTR (the tables changed mid-dump); not retried by the cursor. */
  interrupted: boolean
}

export interface NativeBinding {
  /** Version of the record layout; the netlink source refuses a binary whose version differs from its decoder's. */
  readonly recordAbiVersion: number
  /** Fingerprint of the C++ sources the binary was built from (src-native/tools/source-hash.cjs). */
  readonly sourceHash: number
  /**
   * Scans `root` (default "/proc") on a worker thread: which processes hold which
   * socket inodes. Processes exiting mid-scan are skipped; refused ones are reported in
   * `processes`. Rejects with a NativeSystemError when `root` cannot be read, and on any
   * other error on the way (EMFILE/ENFILE out of descriptors, ENOMEM; syscall 'open',
   * 'readdir', 'readlink', 'read', 'socket', …): a process it could not look into never
   * passes for one holding no socket.
   */
  scanProcFds(root?: string): Promise<ProcFdScan>
  /**
   * For each (pid, fd, inode, hints) quadruple, on a worker thread (big batches split
   * over up to 4 threads at process boundaries): pidfd_open (once per run of one pid),
   * pidfd_getfd, fstat (same inode?), getsockopt of every option, close. `hints`:
   * bits 0-7 protocol, 8-15 family, bit 16 LISTEN/CLOSE; 0 = unknown (read with
   * SO_DOMAIN/SO_PROTOCOL). Resolves with one option record per quadruple
   * (src-native/pidfd/option_record.h, decoded by src/sources/pidfd/option-record.ts); never
   * rejects for one socket. Rejects with a NativeSystemError (code EMFILE/ENFILE,
   * syscall 'pidfd_open'/'pidfd_getfd') when this process is out of descriptors.
   * Throws a TypeError/RangeError synchronously for anything but a Uint32Array of
   * quadruples.
   */
  readSocketOptions(targets: Uint32Array): Promise<Buffer>
  /** Version of the option record layout. */
  readonly optionAbiVersion: number
  /**
   * Loads the bpf source's socket programs (iter/tcp, iter/udp) once per addon
   * instance, patched with the running kernel's field offsets from its BTF, and checks
   * them on a socket of its own. Resolves with the kernel's HZ (what jiffies are
   * measured in) and whether the programs get each socket's cookie from the kernel
   * (Linux >= 5.12), rather than read the field (0 until something asked for it). Rejects with a NativeSystemError whose `cause` says why the source
   * cannot serve here: 'no-btf', 'old-kernel' (< 5.9), 'no-privilege' (CAP_BPF and
   * CAP_PERFMON, or root), 'lockdown', 'layout' (the kernel's structures differ from
   * what is read), 'failed'.
   */
  openBpfReader(): Promise<{ hz: number; cookies: boolean }>
  /**
   * Every full TCP (`tcp` true) or UDP socket of the caller's network namespace, or of
   * the namespace `netnsFd` names (a descriptor of an nsfs file; the addon keeps a
   * duplicate, so it may be closed at once), as records
   * (src-native/bpf/socket_record.h). Throws ERR_KNETSTAT_BPF_NOT_OPEN before
   * openBpfReader resolved; rejects with syscall 'setns' when the namespace cannot be entered.
   */
  readBpfSockets(tcp: boolean, netnsFd?: number): Promise<Buffer>
  /**
   * The same records a part at a time, for a stream's bounded join: a handle (no I/O
   * yet), then parts of at least `minRecords` records (1..2^20) unless the table ends
   * (`done`). The iteration's descriptor closes when done, or when the handle is
   * garbage-collected. Throws ERR_KNETSTAT_BPF_NOT_OPEN before openBpfReader resolved,
   * ERR_KNETSTAT_CURSOR_BUSY while a read of the handle runs.
   */
  openBpfCursor(tcp: boolean, netnsFd?: number): BpfCursorHandle
  readBpfCursor(handle: BpfCursorHandle, minRecords: number): Promise<{ records: Buffer; done: boolean }>
  /** Version of the bpf socket record layout. */
  readonly bpfAbiVersion: number
  /**
   * A pull-based dump of `requests`, in order, over one netlink socket. Throws a
   * TypeError/RangeError (code ERR_INVALID_ARG_TYPE/ERR_OUT_OF_RANGE) synchronously
   * for malformed requests (not an array, more than 64 entries, a field out of its
   * integer range). A request of family 0 and protocol 6 dumps TCP of both families
   * in one walk of the kernel's tables (TCPDIAG_GETSOCK), IPv4 and IPv6 records mixed.
   * No I/O happens here: the netlink socket opens on the first read. The kernel
   * continues a dump only as it is read, so memory is bounded by one batch plus the
   * socket's receive queue. With `netnsFd` (a descriptor of an nsfs file, duplicated
   * here), the socket is opened in that network namespace and dumps its tables.
   */
  openDumpCursor(requests: readonly DumpRequest[], netnsFd?: number): DumpCursorHandle
  /**
   * Reads, on a worker thread, records until at least `minBytes` (1..64 MiB) were
   * collected or the last dump ended. One call at a time per cursor: a second call
   * while one runs throws (code ERR_KNETSTAT_CURSOR_BUSY). Rejects with a
   * NativeSystemError (kernel errors arrive with syscall 'recvmsg'); the cursor is
   * then closed. A dump flagged NLM_F_DUMP_INTR is not read again: `interrupted`
   * says so, and a listing reads it again (src/sources/netlink/list.ts).
   */
  readDumpCursor(handle: DumpCursorHandle, minBytes: number): Promise<DumpCursorBatch>
  /** Closes the cursor's netlink socket on a worker thread (idempotent). A handle collected unclosed closes too. */
  closeDumpCursor(handle: DumpCursorHandle): Promise<void>
  /**
   * Opens `paths` (at most 64) read-only from a thread that entered the network
   * namespace `netnsFd` and then ends: each is a descriptor the caller must close, or
   * -errno. What /proc/thread-self/net/* and /proc/sys/net/* show there is that
   * namespace's. Throws a NativeSystemError with syscall 'setns' (EPERM without
   * CAP_SYS_ADMIN over it, EINVAL for a file that is not a network namespace).
   */
  openInNetns(netnsFd: number, paths: readonly string[]): number[]
}

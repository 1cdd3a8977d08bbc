// "Why no options", in words: every optionsError message, and the errors of a source
// that cannot serve the caller at all, built here and only here from the structured
// Reason a source gives (src/sources/source.ts). A message says why, then what to do.
import type { OptionsError, SocketEntry } from '../model.js'
import { NativeLoadError } from '../native/load.js'
import { escapeForDisplay } from '../text/escape.js'
import type { Reason } from './source.js'

/** What a message reads of the entry it is about. */
type About = Pick<SocketEntry, 'state' | 'uid'>

export const MODULE_MISSING_MESSAGE =
  'the knetstat kernel module is not loaded: /proc/net/tcpstat does not exist in this network namespace. ' +
  'Build and load it as root: `make -C kernel && sudo insmod kernel/knetstat.ko` in the package directory ' +
  "(or `sudo modprobe knetstat` once installed); see docs/kernel-module.md. Or use options 'auto' or 'pidfd'."

export const STALE_BINARY_MESSAGE =
  "knetstat's native addon predates this version's /proc scan and pidfd option reader (or writes another " +
  'option record layout): the binary is stale. Rebuild it with `npm run build:native`.'

/** The addon lacks the /proc scan and pidfd reader of this version. */
export const STALE_BINARY: Reason = { code: 'ERR_KNETSTAT_NATIVE_LOAD', source: 'pidfd', cause: 'stale-binary' }

/** The error a listing rejects with when a source it must use cannot serve the caller. */
export function unavailableError(why: Reason): Error {
  switch (why.cause) {
    case 'not-loaded': {
      const error = new Error(`listSockets: ${MODULE_MISSING_MESSAGE}`)
      return Object.assign(error, { code: 'ENOENT', errno: -2, syscall: 'open', path: why.path })
    }
    case 'stale-binary':
      return new NativeLoadError(why.source === 'bpf' ? BPF_STALE_BINARY_MESSAGE : STALE_BINARY_MESSAGE)
    default:
      if (why.source === 'bpf') {
        const error = new Error(`listSockets: options 'bpf': ${bpfUnavailable(why)}`)
        return Object.assign(error, { code: why.code, syscall: why.syscall })
      }
      return Object.assign(new Error(`listSockets: the ${why.source} source cannot be used (${why.code}: ${why.cause})`), { code: why.code })
  }
}

/** An entry's optionsError for `why`. */
export function optionsErrorFor(why: Reason, entry: About): OptionsError {
  const { reason, advice } = words(why, entry)
  return { code: why.code, message: advice === '' ? reason : `${reason}. ${advice}` }
}

/** The default Missing: the entry has no options, and says why. */
export function noOptions(entry: SocketEntry, why: Reason): void {
  entry.options = null
  entry.optionsSource = null
  entry.optionsError = optionsErrorFor(why, entry)
}

/** A message in two parts: why (which a composed message quotes), and what to do. */
interface Words {
  reason: string
  advice: string
}

function words(why: Reason, entry: About): Words {
  switch (why.source) {
    case 'module':
      return moduleWords(why, entry)
    case 'replay':
      return replayWords(why, entry)
    case 'bpf':
      return bpfWords(why, entry)
    default:
      return pidfdWords(why, entry)
  }
}

// The module source (src/sources/module/).

const MODULE_RULE =
  "the knetstat kernel module shows a socket's options only to readers running as the socket's owner (fsuid) or with " +
  "CAP_SYS_PTRACE (in the user namespace owning the socket's network namespace), as pidfd_getfd would"

function owner(entry: About): string {
  return entry.uid === null ? "the socket's owner" : `uid ${entry.uid}`
}

function moduleMinisocket(entry: About): string {
  return `the kernel module lists this ${entry.state} entry without options: it is a minisocket with no full socket, so there are no options to read`
}

function moduleWords(why: Reason, entry: About): Words {
  switch (why.cause) {
    case 'minisocket':
      return { reason: moduleMinisocket(entry), advice: '' }
    case 'withheld':
      return {
        reason: `not permitted to read the options of this socket of ${owner(entry)}: ${MODULE_RULE}${fallbackNote(why.fallback, entry)}`,
        advice: `To see them, run knetstat as ${owner(entry)}, or with CAP_SYS_PTRACE (for example with sudo)`,
      }
    case 'unmatched':
      return {
        reason:
          entry.state === 'BOUND_INACTIVE'
            ? "the kernel module's files do not list bound-only (BOUND_INACTIVE) sockets, as /proc/net/tcp does not: there is no line to take options from"
            : "the kernel module's file has no line for this socket: it was created or closed between the read of the module's file and the netlink dump; list again",
        advice: '',
      }
    case 'ambiguous':
      return {
        reason:
          'sockets with this same address, port and state (SO_REUSEPORT/SO_REUSEADDR siblings) came or went between the read of ' +
          "the module's file and the netlink dump, and their options differ: which line is this socket's cannot be told; list again",
        advice: '',
      }
    case 'not-loaded':
      return { reason: MODULE_MISSING_MESSAGE, advice: '' }
    default:
      return other(why)
  }
}

/** Why the source tried after the module could not read withheld options either. */
function fallbackNote(fallback: Reason | undefined, entry: About): string {
  if (fallback === undefined) return ''
  switch (fallback.cause) {
    case 'no-file':
      return '; it has no file (no process holds it), so pidfd_getfd cannot read it either'
    case 'stale-binary':
      return "; knetstat's native addon is too old for the pidfd source (rebuild it with `npm run build:native`)"
    default:
      // Its reason only: its advice may suggest loading the module, which is loaded.
      return `; the ${fallback.source} source could not read them either (${fallback.code}: ${words(fallback, entry).reason})`
  }
}

// The replay source (src/sources/replay/).

function replayWords(why: Reason, entry: About): Words {
  switch (why.cause) {
    case 'minisocket':
      // As a live listing with the module would say it.
      return { reason: moduleMinisocket(entry), advice: '' }
    case 'withheld':
      return {
        reason:
          'the recording has no options for this socket: whoever recorded it could not read them. The knetstat kernel module ' +
          "shows a socket's options only to its owner or to a reader with CAP_SYS_PTRACE; without the module, options come " +
          'from the process holding the socket, and a socket no visible process holds (a connection still in an accept queue, ' +
          'an orphan) has none',
        advice: 'Record as root with the module loaded to keep them',
      }
    default:
      return other(why)
  }
}

// The bpf source (src/sources/bpf/).

export const BPF_STALE_BINARY_MESSAGE =
  "knetstat's native addon predates this version's bpf socket reader (or writes another record layout): the binary is " +
  'stale. Rebuild it with `npm run build:native`.'

/** Why the bpf source cannot serve this caller, and what to do. */
function bpfUnavailable(why: Reason): string {
  const detail = why.detail === undefined ? '' : ` (${why.detail})`
  switch (why.cause) {
    case 'no-privilege':
      // The kernel's words add nothing here. Before 5.11, BPF memory counts against
      // RLIMIT_MEMLOCK, and going over it is EPERM too.
      return (
        'the bpf source needs CAP_BPF and CAP_PERFMON, or root, to load its socket iterator program (before Linux 5.11 ' +
        'also enough RLIMIT_MEMLOCK: `ulimit -l`). Run knetstat as root, grant those capabilities, or use ' +
        "options 'auto', which falls back to the kernel module or pidfd"
      )
    case 'no-btf':
      return `the kernel has no BTF type information${detail}; the bpf source reads socket fields at offsets it gives. Use a kernel built with CONFIG_DEBUG_INFO_BTF (Debian's are), the kernel module, or pidfd`
    case 'old-kernel':
      return `the kernel has no BPF socket iterators (iter/tcp, iter/udp: Linux 5.9 or later)${detail}. Use the kernel module or pidfd`
    case 'lockdown':
      return `the kernel is locked down, which forbids BPF programs that read kernel memory${detail}. Use the kernel module or pidfd`
    case 'layout':
      return `the kernel's socket structures are not what the bpf source reads, so it refuses to guess${detail}. Use the kernel module or pidfd, and report the kernel version`
    default:
      return `loading the bpf source's program failed with ${why.code}${detail}`
  }
}

function bpfWords(why: Reason, entry: About): Words {
  switch (why.cause) {
    case 'minisocket':
      return { reason: `a ${entry.state} entry is a minisocket with no full socket: there are no options to read`, advice: '' }
    case 'unmatched':
      return { reason: 'the socket was created after the BPF socket iterator read the table (or closed during the listing); list again', advice: '' }
    case 'stale-binary':
      return { reason: BPF_STALE_BINARY_MESSAGE, advice: '' }
    default:
      return { reason: bpfUnavailable(why), advice: '' }
  }
}

// The pidfd source (src/sources/pidfd/).

const HOW_TO_GET_THEM =
  'run knetstat as the user that owns the process, give it CAP_SYS_PTRACE (for example run it with sudo), ' +
  'or load the knetstat kernel module, which reports the options of every socket'

// When no holder was found: the scan reads /proc/<pid>/fd (DAC: its uid, or
// CAP_DAC_READ_SEARCH) and, where that is refused, /proc/<pid>/fdinfo, which since
// Linux 5.14 needs ptrace read access instead (CAP_SYS_PTRACE grants it).
const HOW_TO_FIND_THEM =
  'run knetstat as the user that owns the process, give it CAP_SYS_PTRACE (for example run it with sudo; ' +
  'before Linux 5.14 finding the process also needs CAP_DAC_READ_SEARCH), ' +
  'or load the knetstat kernel module, which reports the options of every socket'

function yamaNote(scope: number | null): string {
  return scope !== null && scope > 0
    ? ` (kernel.yama.ptrace_scope is ${scope}: even your own processes need CAP_SYS_PTRACE unless they are your descendants)`
    : ''
}

function who(entry: About, holder: Reason['holder']): string {
  const owner = entry.uid === null ? 'its owner' : `uid ${entry.uid}`
  // The command is the process's own choice (its comm): quoted escaped, never raw.
  return holder === undefined ? owner : `process ${holder.pid} (${escapeForDisplay(holder.command, 64)}) of ${owner}`
}

function pidfdWords(why: Reason, entry: About): Words {
  switch (why.cause) {
    case 'hidden-holder':
      return {
        reason: `no process visible to you holds this socket (${who(entry, undefined)}): you may read neither its owner's /proc/<pid>/fd nor, without ptrace access, its /proc/<pid>/fdinfo`,
        advice: `To see its options, ${HOW_TO_FIND_THEM}`,
      }
    case 'not-ptraceable':
      return {
        reason: `not permitted to read the options of ${who(entry, why.holder)}: pidfd_getfd needs ptrace access to the process${yamaNote(why.yamaScope ?? null)}`,
        advice: `To see them, ${HOW_TO_GET_THEM}`,
      }
    case 'no-syscall':
      return {
        reason: `this kernel has no ${why.syscall ?? 'pidfd_getfd'} (Linux 5.6 or later is needed, and a seccomp filter may block it in containers)`,
        advice: 'To see options, load the knetstat kernel module, or run on Linux 5.6 or later',
      }
    case 'minisocket':
      return { reason: `a ${entry.state} entry is a minisocket with no file and no owning process: there are no options to read`, advice: '' }
    case 'no-file':
      return {
        reason: 'this socket has no file, so no process holds it (a connection not yet accept()ed, or one its process already closed): there are no options to read',
        advice: '',
      }
    case 'no-holder':
      return {
        reason:
          "no process holds this socket: it is the kernel's own, held in another PID namespace's process that this /proc does not show, in flight in an SCM_RIGHTS message, or was closed during the listing",
        advice: '',
      }
    case 'closed':
      return { reason: `${who(entry, why.holder)} closed the socket's descriptor during the listing`, advice: '' }
    case 'stale-binary':
      return { reason: STALE_BINARY_MESSAGE, advice: '' }
    case 'failed':
      return { reason: `${why.syscall ?? 'getsockopt'} failed with ${why.code} for ${who(entry, why.holder)}`, advice: '' }
    default:
      return other(why)
  }
}

function other(why: Reason): Words {
  return { reason: `the ${why.source} source gave no options (${why.code}: ${why.cause})`, advice: '' }
}

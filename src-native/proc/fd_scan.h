// One pass over /proc/<pid>/fd: which processes hold which socket inodes. Blocking;
// callers run it on a worker thread. Pure C++ (no N-API).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/system_failure.h"

namespace knetstat::proc {

struct FdScan {
  // (pid, fd, inode) for every descriptor whose link reads "socket:[inode]" (or, for
  // a process whose fd directory is refused but whose fdinfo is not, whose fdinfo
  // names the sockfs mount and that inode: the same socket, found another way).
  std::vector<uint32_t> fds;
  // One (pid, errno) pair per process that holds a socket (errno 0) or whose fd
  // directory could not be read (EACCES/EPERM: another user's process, no ptrace).
  std::vector<uint32_t> processes;
  // /proc/<pid>/comm of each entry of `processes`, in the same order ("" if unreadable).
  std::vector<std::string> commands;
  uint32_t scanned = 0;  // processes whose fd (or fdinfo) directory was read
};

// What /proc/<pid>/fdinfo/<fd> says of a descriptor: its mount ("mnt_id:", since
// Linux 3.15) and inode ("ino:", since 5.14). `has_*` is false for a missing or
// malformed line. Exposed for tests.
struct FdInfo {
  bool has_mnt_id = false;
  bool has_inode = false;
  int32_t mnt_id = 0;
  uint64_t inode = 0;
};
FdInfo parse_fdinfo(const char* text, size_t length);

// Scans `root` (normally "/proc"). Processes that exit mid-scan are skipped; fds
// closed mid-scan are skipped; refused ones (EACCES/EPERM) are reported as such. Any
// other error (EMFILE/ENFILE when out of descriptors, ENOMEM, ...) fails the scan and
// fills `failure` (errno, syscall, a message that says what to do): a process the
// scan could not look into must never pass for one that holds no socket.
//
// The fast path is readdir + readlinkat of <pid>/fd. When that directory is refused
// (EACCES/EPERM: mode 0500, owned by the process's uid; CAP_SYS_PTRACE does not
// override it), the process's <pid>/fdinfo is tried: since Linux 5.14 it is readable
// with ptrace read access (PTRACE_MODE_READ_FSCREDS) and each file carries the
// descriptor's "mnt_id:" and "ino:". A descriptor counts as a socket when its mount
// is the sockfs mount (learnt once from a socket of our own), so a file of another
// filesystem with the same inode number is never taken for a socket. A process whose
// fdinfo is refused too (no ptrace access, or an older kernel) is reported as before.
bool scan_proc_fds(const std::string& root, FdScan& out, SystemFailure& failure);

}  // namespace knetstat::proc

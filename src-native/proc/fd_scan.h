// One pass over /proc/<pid>/fd: which processes hold which socket inodes. Blocking;
// callers run it on a worker thread. Pure C++ (no N-API).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "diag/dump_request.h"

namespace knetstat::proc {

struct FdScan {
  // (pid, fd, inode) for every descriptor whose link reads "socket:[inode]".
  std::vector<uint32_t> fds;
  // One (pid, errno) pair per process that holds a socket (errno 0) or whose fd
  // directory could not be read (EACCES/EPERM: another user's process, no ptrace).
  std::vector<uint32_t> processes;
  // /proc/<pid>/comm of each entry of `processes`, in the same order ("" if unreadable).
  std::vector<std::string> commands;
  uint32_t scanned = 0;  // processes whose fd directory was read
};

// Scans `root` (normally "/proc"). Processes that exit mid-scan are skipped; fds
// closed mid-scan are skipped. Fails (and fills `failure`) only when `root` itself
// cannot be read.
bool scan_proc_fds(const std::string& root, FdScan& out, diag::DumpFailure& failure);

}  // namespace knetstat::proc

#include "proc/fd_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "util/unique_fd.h"

namespace knetstat::proc {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const {
    if (dir != nullptr) ::closedir(dir);
  }
};
using UniqueDir = std::unique_ptr<DIR, DirCloser>;

// Parses a decimal name; false for anything else (".", "self", "net", …).
bool parse_decimal(const char* name, uint32_t& value) {
  if (*name == '\0') return false;
  uint64_t v = 0;
  for (const char* p = name; *p != '\0'; p++) {
    if (*p < '0' || *p > '9') return false;
    v = v * 10 + static_cast<uint64_t>(*p - '0');
    if (v > 0xffffffffu) return false;
  }
  value = static_cast<uint32_t>(v);
  return true;
}

// "socket:[12345]" -> 12345.
bool parse_socket_link(const char* link, size_t length, uint32_t& inode) {
  static constexpr char kPrefix[] = "socket:[";
  constexpr size_t kPrefixLength = sizeof(kPrefix) - 1;
  if (length < kPrefixLength + 2 || std::memcmp(link, kPrefix, kPrefixLength) != 0 || link[length - 1] != ']')
    return false;
  uint64_t v = 0;
  for (size_t i = kPrefixLength; i < length - 1; i++) {
    if (link[i] < '0' || link[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(link[i] - '0');
    if (v > 0xffffffffu) return false;
  }
  inode = static_cast<uint32_t>(v);
  return true;
}

std::string read_comm(int root_fd, const char* pid) {
  std::string path = std::string(pid) + "/comm";
  UniqueFd fd(::openat(root_fd, path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return {};
  char buf[64];
  ssize_t n;
  do n = ::read(fd.get(), buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return {};
  size_t length = static_cast<size_t>(n);
  if (buf[length - 1] == '\n') length--;
  return std::string(buf, length);
}

}  // namespace

bool scan_proc_fds(const std::string& root, FdScan& out, diag::DumpFailure& failure) {
  UniqueFd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) {
    failure.error = errno;
    failure.syscall = "open";
    failure.message = "cannot open " + root + ": " + std::strerror(errno) + "; is procfs mounted there?";
    return false;
  }
  // A second descriptor for the listing: closedir closes what fdopendir took.
  UniqueDir root_dir(::fdopendir(::openat(root_fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)));
  if (!root_dir) {
    failure.error = errno;
    failure.syscall = "opendir";
    failure.message = "cannot list " + root + ": " + std::strerror(errno);
    return false;
  }
  char link[64];
  std::string path;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(root_dir.get());
    if (entry == nullptr) break;  // end, or an error reading /proc: keep what was seen
    uint32_t pid;
    if (!parse_decimal(entry->d_name, pid)) continue;
    path.assign(entry->d_name).append("/fd");
    int raw = ::openat(root_fd.get(), path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (raw < 0) {
      const int error = errno;
      if (error == EACCES || error == EPERM) {
        out.processes.push_back(pid);
        out.processes.push_back(static_cast<uint32_t>(error));
        out.commands.push_back(read_comm(root_fd.get(), entry->d_name));
      }
      continue;  // ENOENT/ESRCH: the process exited; anything else: nothing to learn
    }
    UniqueDir fd_dir(::fdopendir(raw));
    if (!fd_dir) {
      ::close(raw);
      continue;
    }
    out.scanned++;
    const int dir_fd = ::dirfd(fd_dir.get());
    bool holds = false;
    for (;;) {
      const dirent* fd_entry = ::readdir(fd_dir.get());
      if (fd_entry == nullptr) break;
      uint32_t fd;
      if (!parse_decimal(fd_entry->d_name, fd)) continue;
      const ssize_t n = ::readlinkat(dir_fd, fd_entry->d_name, link, sizeof link);
      if (n <= 0) continue;  // closed meanwhile, or the process exited
      uint32_t inode;
      if (!parse_socket_link(link, static_cast<size_t>(n), inode)) continue;
      out.fds.push_back(pid);
      out.fds.push_back(fd);
      out.fds.push_back(inode);
      holds = true;
    }
    if (holds) {
      out.processes.push_back(pid);
      out.processes.push_back(0);
      out.commands.push_back(read_comm(root_fd.get(), entry->d_name));
    }
  }
  return true;
}

}  // namespace knetstat::proc

#include "proc/fd_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

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

// Reads the start of `path` (relative to `dir_fd`) into `buf`; the length read, or -1
// with errno set. fdinfo's first lines (pos, flags, mnt_id, ino) fit in 256 bytes.
ssize_t read_head(int dir_fd, const char* path, char* buf, size_t size) {
  UniqueFd fd(::openat(dir_fd, path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return -1;
  ssize_t n;
  do n = ::read(fd.get(), buf, size);
  while (n < 0 && errno == EINTR);
  return n;
}

constexpr int kNoMount = -1;  // not known (yet): no fdinfo fallback

// The mount id every socket's file has (sockfs is one kernel-internal mount), from
// the fdinfo of a socket of our own: <root>/self, else /proc/self.
int sockfs_mount_id(int root_fd) {
  UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return kNoMount;
  const std::string own = "self/fdinfo/" + std::to_string(sock.get());
  const std::string proc_own = "/proc/" + own;
  char buf[256];
  for (const auto& [dir, path] : {std::pair<int, const char*>{root_fd, own.c_str()}, {AT_FDCWD, proc_own.c_str()}}) {
    const ssize_t n = read_head(dir, path, buf, sizeof buf);
    if (n <= 0) continue;
    const FdInfo info = parse_fdinfo(buf, static_cast<size_t>(n));
    if (info.has_mnt_id && info.mnt_id >= 0) return info.mnt_id;
  }
  return kNoMount;
}

// The fallback for a process whose <pid>/fd was refused: appends every
// <pid>/fdinfo/<fd> whose mount is sockfs, by its "ino:". False (and nothing
// appended) when the directory or any of its files is refused or unreadable as a whole.
bool scan_fdinfo(int root_fd, const char* pid_name, uint32_t pid, int sockfs_mnt, FdScan& out) {
  const std::string path = std::string(pid_name) + "/fdinfo";
  int raw = ::openat(root_fd, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (raw < 0) return false;
  UniqueDir dir(::fdopendir(raw));
  if (!dir) {
    ::close(raw);
    return false;
  }
  const int dir_fd = ::dirfd(dir.get());
  const size_t mark = out.fds.size();
  char buf[256];
  for (;;) {
    const dirent* entry = ::readdir(dir.get());
    if (entry == nullptr) break;
    uint32_t fd;
    if (!parse_decimal(entry->d_name, fd)) continue;
    const ssize_t n = read_head(dir_fd, entry->d_name, buf, sizeof buf);
    if (n < 0 && (errno == EACCES || errno == EPERM)) {
      // Kernels with "procfs: allow reading fdinfo with PTRACE_MODE_READ" but not
      // "procfs: prevent unprivileged processes accessing fdinfo dir" (5.14 to 5.17)
      // list the directory to anyone and check ptrace on the files only.
      out.fds.resize(mark);
      return false;
    }
    if (n <= 0) continue;  // closed meanwhile, or the process exited
    const FdInfo info = parse_fdinfo(buf, static_cast<size_t>(n));
    if (!info.has_mnt_id || info.mnt_id != sockfs_mnt || !info.has_inode || info.inode > 0xffffffffu) continue;
    out.fds.push_back(pid);
    out.fds.push_back(fd);
    out.fds.push_back(static_cast<uint32_t>(info.inode));
  }
  return true;
}

// Appends every socket link of an open <pid>/fd directory.
void scan_fd_links(DIR* fd_dir, uint32_t pid, FdScan& out) {
  const int dir_fd = ::dirfd(fd_dir);
  char link[64];
  for (;;) {
    const dirent* fd_entry = ::readdir(fd_dir);
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
  }
}

// Records a process: a holder (error 0), or one whose fds could not be read.
void add_process(FdScan& out, int root_fd, const char* pid_name, uint32_t pid, int error) {
  out.processes.push_back(pid);
  out.processes.push_back(static_cast<uint32_t>(error));
  out.commands.push_back(read_comm(root_fd, pid_name));
}

}  // namespace

FdInfo parse_fdinfo(const char* text, size_t length) {
  FdInfo info;
  const char* end = text + length;
  for (const char* line = text; line < end;) {
    const char* newline = static_cast<const char*>(std::memchr(line, '\n', static_cast<size_t>(end - line)));
    if (newline == nullptr) break;  // a line cut off by the buffer: not trusted
    const auto field = [&](const char* name, uint64_t limit, uint64_t& value) {
      const size_t name_length = std::strlen(name);
      if (static_cast<size_t>(newline - line) <= name_length || std::memcmp(line, name, name_length) != 0) return false;
      const char* p = line + name_length;
      while (p < newline && (*p == '\t' || *p == ' ')) p++;
      if (p == newline) return false;
      uint64_t v = 0;
      for (; p < newline; p++) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + static_cast<uint64_t>(*p - '0');
        if (v > limit) return false;
      }
      value = v;
      return true;
    };
    uint64_t value;
    if (field("mnt_id:", 0x7fffffffu, value)) {
      info.has_mnt_id = true;
      info.mnt_id = static_cast<int32_t>(value);
    } else if (field("ino:", UINT64_MAX / 10 - 1, value)) {
      info.has_inode = true;
      info.inode = value;
    }
    line = newline + 1;
  }
  return info;
}

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
  std::string path;
  int sockfs_mnt = kNoMount;  // looked up at the first refused process, again until found
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(root_dir.get());
    if (entry == nullptr) break;  // end, or an error reading /proc: keep what was seen
    uint32_t pid;
    if (!parse_decimal(entry->d_name, pid)) continue;
    const size_t mark = out.fds.size();
    path.assign(entry->d_name).append("/fd");
    int raw = ::openat(root_fd.get(), path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (raw < 0) {
      const int error = errno;
      // ENOENT/ESRCH: the process exited; anything else: nothing to learn.
      if (error != EACCES && error != EPERM) continue;
      if (sockfs_mnt == kNoMount) sockfs_mnt = sockfs_mount_id(root_fd.get());
      if (sockfs_mnt == kNoMount || !scan_fdinfo(root_fd.get(), entry->d_name, pid, sockfs_mnt, out)) {
        add_process(out, root_fd.get(), entry->d_name, pid, error);
        continue;
      }
    } else {
      UniqueDir fd_dir(::fdopendir(raw));
      if (!fd_dir) {
        ::close(raw);
        continue;
      }
      scan_fd_links(fd_dir.get(), pid, out);
    }
    out.scanned++;
    if (out.fds.size() > mark) add_process(out, root_fd.get(), entry->d_name, pid, 0);
  }
  return true;
}

}  // namespace knetstat::proc

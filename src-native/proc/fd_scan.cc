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
#include <optional>
#include <string>
#include <utility>

#include "util/borrow_gate.h"
#include "util/out_of_descriptors.h"
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

// What an errno met while reading one process's entries means for the scan.
enum class Met {
  kGone,     // ENOENT/ESRCH: the process exited, or the descriptor was closed, meanwhile
  kRefused,  // EACCES/EPERM: not ours to read
  kBroken,   // anything else (EMFILE, ENFILE, ENOMEM, ...): we could not look
};

Met classify(int error) {
  if (error == ENOENT || error == ESRCH) return Met::kGone;
  if (error == EACCES || error == EPERM) return Met::kRefused;
  return Met::kBroken;
}

// A step that could not be done, so the scan fails rather than take "could not look"
// for "holds no socket": the errno, the call and what it was reading. error 0: done.
struct Broken {
  int error = 0;
  const char* syscall = "";
  std::string path;
};

Broken broken(const char* syscall, std::string path) { return Broken{errno, syscall, std::move(path)}; }

std::string join(const char* dir, const char* name) { return std::string(dir) + "/" + name; }

// Reads the start of `path` (relative to `dir_fd`) into `buf`; the length read, or -1
// with errno set and `syscall` naming the call. fdinfo's first lines (pos, flags,
// mnt_id, ino) fit in 256 bytes.
ssize_t read_head(int dir_fd, const char* path, char* buf, size_t size, const char*& syscall) {
  syscall = "open";
  UniqueFd fd(::openat(dir_fd, path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return -1;
  syscall = "read";
  ssize_t n;
  do n = ::read(fd.get(), buf, size);
  while (n < 0 && errno == EINTR);
  return n;
}

// /proc/<pid>/comm, "" when the process is gone or it is refused.
Broken read_comm(int root_fd, const char* pid, std::string& comm) {
  const std::string path = join(pid, "comm");
  char buf[64];
  const char* syscall;
  const ssize_t n = read_head(root_fd, path.c_str(), buf, sizeof buf, syscall);
  comm.clear();
  if (n < 0) return classify(errno) == Met::kBroken ? broken(syscall, path) : Broken{};
  size_t length = static_cast<size_t>(n);
  if (length > 0 && buf[length - 1] == '\n') length--;
  comm.assign(buf, length);
  return {};
}

constexpr int kNoMount = -1;  // not known (yet): no fdinfo fallback

// The mount id every socket's file has (sockfs is one kernel-internal mount), from
// the fdinfo of a socket of our own: <root>/self, else /proc/self. kNoMount when
// neither tells.
Broken sockfs_mount_id(int root_fd, int& mount) {
  mount = kNoMount;
  UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return out_of_descriptors(errno) || errno == ENOMEM ? broken("socket", "a socket of our own") : Broken{};
  const std::string own = "self/fdinfo/" + std::to_string(sock.get());
  const std::string proc_own = "/proc/" + own;
  char buf[256];
  for (const auto& [dir, path] : {std::pair<int, const char*>{root_fd, own.c_str()}, {AT_FDCWD, proc_own.c_str()}}) {
    const char* syscall;
    const ssize_t n = read_head(dir, path, buf, sizeof buf, syscall);
    if (n < 0 && classify(errno) == Met::kBroken) return broken(syscall, path);
    if (n <= 0) continue;
    const FdInfo info = parse_fdinfo(buf, static_cast<size_t>(n));
    if (info.has_mnt_id && info.mnt_id >= 0) {
      mount = info.mnt_id;
      return {};
    }
  }
  return {};
}

// readdir's next entry; null at the end, or on an error (`error`, else 0).
const dirent* next_entry(DIR* dir, int& error) {
  errno = 0;
  const dirent* entry = ::readdir(dir);
  error = entry == nullptr ? errno : 0;
  return entry;
}

// The fallback for a process whose <pid>/fd was refused: appends every
// <pid>/fdinfo/<fd> whose mount is sockfs, by its "ino:". `read` is false (and
// nothing appended) when the directory or any of its files is refused, or the process
// is gone.
Broken scan_fdinfo(int root_fd, const char* pid_name, uint32_t pid, int sockfs_mnt, FdScan& out, bool& read) {
  read = false;
  const std::string path = join(pid_name, "fdinfo");
  int raw = ::openat(root_fd, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (raw < 0) return classify(errno) == Met::kBroken ? broken("open", path) : Broken{};
  UniqueDir dir(::fdopendir(raw));
  if (!dir) {
    // fdopendir's fstat of a directory whose process exited meanwhile fails with ENOENT.
    Broken failed = classify(errno) == Met::kGone ? Broken{} : broken("fdopendir", path);
    ::close(raw);
    return failed;
  }
  const int dir_fd = ::dirfd(dir.get());
  const size_t mark = out.fds.size();
  char buf[256];
  int error;
  for (const dirent* entry; (entry = next_entry(dir.get(), error)) != nullptr;) {
    uint32_t fd;
    if (!parse_decimal(entry->d_name, fd)) continue;
    const char* syscall;
    const ssize_t n = read_head(dir_fd, entry->d_name, buf, sizeof buf, syscall);
    if (n < 0) {
      const Met met = classify(errno);
      if (met == Met::kBroken) return broken(syscall, join(path.c_str(), entry->d_name));
      if (met == Met::kGone) continue;  // closed meanwhile
      // Kernels with "procfs: allow reading fdinfo with PTRACE_MODE_READ" but not
      // "procfs: prevent unprivileged processes accessing fdinfo dir" (5.14 to 5.17)
      // list the directory to anyone and check ptrace on the files only.
      out.fds.resize(mark);
      return {};
    }
    if (n == 0) continue;
    const FdInfo info = parse_fdinfo(buf, static_cast<size_t>(n));
    if (!info.has_mnt_id || info.mnt_id != sockfs_mnt || !info.has_inode || info.inode > 0xffffffffu) continue;
    out.fds.push_back(pid);
    out.fds.push_back(fd);
    out.fds.push_back(static_cast<uint32_t>(info.inode));
  }
  if (error != 0 && classify(error) != Met::kGone) {
    errno = error;
    return broken("readdir", path);
  }
  read = true;
  return {};
}

// Appends every socket link of an open <pid>/fd directory. `refused` is the errno of
// a link refused to us (the process changed its credentials meanwhile: its
// descriptors are then as unreadable as if its directory had been refused), else 0.
Broken scan_fd_links(DIR* fd_dir, const std::string& path, uint32_t pid, FdScan& out, int& refused) {
  refused = 0;
  const int dir_fd = ::dirfd(fd_dir);
  char link[64];
  int error;
  for (const dirent* fd_entry; (fd_entry = next_entry(fd_dir, error)) != nullptr;) {
    uint32_t fd;
    if (!parse_decimal(fd_entry->d_name, fd)) continue;
    const ssize_t n = ::readlinkat(dir_fd, fd_entry->d_name, link, sizeof link);
    if (n < 0) {
      const Met met = classify(errno);
      if (met == Met::kBroken) return broken("readlink", join(path.c_str(), fd_entry->d_name));
      if (met == Met::kRefused) {
        refused = errno;
        return {};
      }
      continue;  // closed meanwhile, or the process exited
    }
    uint32_t inode;
    if (!parse_socket_link(link, static_cast<size_t>(n), inode)) continue;
    out.fds.push_back(pid);
    out.fds.push_back(fd);
    out.fds.push_back(inode);
  }
  if (error != 0 && classify(error) != Met::kGone) {
    errno = error;
    return broken("readdir", path);
  }
  return {};
}

// Records a process: a holder (error 0), or one whose fds could not be read.
Broken add_process(FdScan& out, int root_fd, const char* pid_name, uint32_t pid, int error) {
  std::string command;
  Broken failed = read_comm(root_fd, pid_name, command);
  if (failed.error != 0) return failed;
  out.processes.push_back(pid);
  out.processes.push_back(static_cast<uint32_t>(error));
  out.commands.push_back(std::move(command));
  return {};
}

// Fills `failure` for a step of the scan under `root`; false, for the caller to return.
bool fail(SystemFailure& failure, const std::string& root, const Broken& step) {
  failure.error = step.error;
  failure.syscall = step.syscall;
  const std::string what = step.path.empty() || step.path[0] == '/' ? step.path : root + "/" + step.path;
  failure.message = "scanning " + root + " for the processes holding sockets, " + step.syscall + " of " + what +
                    " failed: " + std::strerror(step.error) + ". ";
  if (out_of_descriptors(step.error)) {
    failure.message += std::string("No file descriptor is free to read it; ") + kOutOfDescriptorsAdvice + ".";
  } else if (step.error == ENOMEM) {
    failure.message += "Out of memory; retry when some is free.";
  } else {
    failure.message += "An unexpected error: please report it with your kernel version.";
  }
  return false;
}

// This process's pid as `root` names it (its "self" link), 0 when it has none (a
// crafted tree): the pid whose fd directory must not show borrowed sockets.
uint32_t own_pid(int root_fd) {
  char link[32];
  const ssize_t n = ::readlinkat(root_fd, "self", link, sizeof link - 1);
  if (n <= 0) return 0;
  link[n] = '\0';
  uint32_t pid;
  return parse_decimal(link, pid) ? pid : 0;
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

bool scan_proc_fds(const std::string& root, FdScan& out, SystemFailure& failure) {
  UniqueFd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) {
    if (out_of_descriptors(errno) || errno == ENOMEM) return fail(failure, root, broken("open", root));
    failure.error = errno;
    failure.syscall = "open";
    failure.message = "cannot open " + root + ": " + std::strerror(errno) + "; is procfs mounted there?";
    return false;
  }
  // A second descriptor for the listing: closedir closes what fdopendir took.
  int listing = ::openat(root_fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (listing < 0) return fail(failure, root, broken("open", root));
  UniqueDir root_dir(::fdopendir(listing));
  if (!root_dir) {
    Broken failed = broken("fdopendir", root);
    ::close(listing);
    return fail(failure, root, failed);
  }
  std::string path;
  int sockfs_mnt = kNoMount;  // looked up at the first refused process, again until found
  const uint32_t self = own_pid(root_fd.get());
  int error;
  for (const dirent* entry; (entry = next_entry(root_dir.get(), error)) != nullptr;) {
    uint32_t pid;
    if (!parse_decimal(entry->d_name, pid)) continue;
    const size_t mark = out.fds.size();
    path = join(entry->d_name, "fd");
    int refused = 0;
    // This process's own directory is read with no borrowed socket open in it.
    std::optional<BorrowGate::OwnScan> own;
    if (pid == self) own.emplace(BorrowGate::instance());
    int raw = ::openat(root_fd.get(), path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (raw < 0) {
      const Met met = classify(errno);
      if (met == Met::kGone) continue;
      if (met == Met::kBroken) return fail(failure, root, broken("open", path));
      refused = errno;
    } else {
      UniqueDir fd_dir(::fdopendir(raw));
      if (!fd_dir) {
        const bool gone = classify(errno) == Met::kGone;  // as in scan_fdinfo
        Broken failed = broken("fdopendir", path);
        ::close(raw);
        if (gone) continue;
        return fail(failure, root, failed);
      }
      Broken failed = scan_fd_links(fd_dir.get(), path, pid, out, refused);
      if (failed.error != 0) return fail(failure, root, failed);
      if (refused != 0) out.fds.resize(mark);
    }
    own.reset();
    if (refused != 0) {
      if (sockfs_mnt == kNoMount) {
        Broken failed = sockfs_mount_id(root_fd.get(), sockfs_mnt);
        if (failed.error != 0) return fail(failure, root, failed);
      }
      bool read = false;
      if (sockfs_mnt != kNoMount) {
        Broken failed = scan_fdinfo(root_fd.get(), entry->d_name, pid, sockfs_mnt, out, read);
        if (failed.error != 0) return fail(failure, root, failed);
      }
      if (!read) {
        Broken failed = add_process(out, root_fd.get(), entry->d_name, pid, refused);
        if (failed.error != 0) return fail(failure, root, failed);
        continue;
      }
    }
    out.scanned++;
    if (out.fds.size() > mark) {
      Broken failed = add_process(out, root_fd.get(), entry->d_name, pid, 0);
      if (failed.error != 0) return fail(failure, root, failed);
    }
  }
  // A listing of /proc cut short would leave out every process after the cut.
  if (error != 0) {
    errno = error;
    return fail(failure, root, broken("readdir", root));
  }
  return true;
}

}  // namespace knetstat::proc

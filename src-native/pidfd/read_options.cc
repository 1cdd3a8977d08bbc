#include "pidfd/read_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <system_error>
#include <thread>

#include "pidfd/option_record.h"
#include "util/borrow_gate.h"
#include "util/out_of_descriptors.h"
#include "util/unique_fd.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SO_REUSEPORT
#define SO_REUSEPORT 15
#endif
#ifndef TCP_USER_TIMEOUT
#define TCP_USER_TIMEOUT 18
#endif
#ifndef TCP_FASTOPEN
#define TCP_FASTOPEN 23
#endif
#ifndef TCP_NOTSENT_LOWAT
#define TCP_NOTSENT_LOWAT 25
#endif
#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IP_FREEBIND
#define IP_FREEBIND 15
#endif

namespace knetstat::pidfd {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int pidfd_open(uint32_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0)); }
int pidfd_getfd(int pidfd, uint32_t fd) { return static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, static_cast<int>(fd), 0)); }

class Record {
 public:
  explicit Record(uint8_t* bytes) : bytes_(bytes) {
    for (int i = 0; i < kSlotCount; i++) set(static_cast<Slot>(i), kNaN);
    std::memset(bytes_ + kCongestionOffset, 0, 2 * kStringBytes);
  }
  void set(Slot slot, double value) { std::memcpy(bytes_ + slot * 8, &value, sizeof value); }
  void fail(Syscall syscall, int error) {
    set(kErrno, error);
    set(kSyscall, syscall);
  }
  uint8_t* string_at(size_t offset) { return bytes_ + offset; }

 private:
  uint8_t* bytes_;
};

void read_int(int fd, int level, int name, Record& record, Slot slot) {
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, level, name, &value, &length) == 0 && length == sizeof value) record.set(slot, value);
}

void read_timeval(int fd, int name, Record& record, Slot sec, Slot usec) {
  timeval value{};
  socklen_t length = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 && length == sizeof value) {
    record.set(sec, static_cast<double>(value.tv_sec));
    record.set(usec, static_cast<double>(value.tv_usec));
  }
}

void read_string(int fd, int level, int name, Record& record, size_t offset) {
  char value[kStringBytes + 1] = {};
  socklen_t length = kStringBytes;
  if (::getsockopt(fd, level, name, value, &length) == 0) {
    std::memcpy(record.string_at(offset), value, std::min<size_t>(length, kStringBytes));
  }
}

void read_all(int fd, uint32_t hints, Record& record) {
  int domain = static_cast<int>((hints >> 8) & 0xff), protocol = static_cast<int>(hints & 0xff);
  socklen_t length;
  if (hints == 0) {
    length = sizeof domain;
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0) domain = 0;
    length = sizeof protocol;
    if (::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &length) != 0) protocol = 0;
  }
  if (domain != 0) record.set(kDomain, domain);
  if (protocol != 0) record.set(kProtocol, protocol);
  const bool unconnected = hints == 0 || (hints & kHintUnconnected) != 0;
  // Each getsockopt costs about a microsecond: only those whose value the option
  // semantics (src/sources/pidfd/semantics.ts) use for this protocol and family.
  const bool tcp = protocol == IPPROTO_TCP, udp = protocol == IPPROTO_UDP;

  read_int(fd, SOL_SOCKET, SO_REUSEADDR, record, kReuseAddr);
  read_int(fd, SOL_SOCKET, SO_REUSEPORT, record, kReusePort);
  if (!udp) read_int(fd, SOL_SOCKET, SO_KEEPALIVE, record, kKeepAlive);
  if (!tcp) read_int(fd, SOL_SOCKET, SO_BROADCAST, record, kBroadcast);
  // A connection's TCP buffers are autotuned unless set: their size decides nothing.
  if (!tcp || unconnected) {
    read_int(fd, SOL_SOCKET, SO_RCVBUF, record, kRcvBuf);
    read_int(fd, SOL_SOCKET, SO_SNDBUF, record, kSndBuf);
  }
  read_timeval(fd, SO_RCVTIMEO, record, kRcvTimeoSec, kRcvTimeoUsec);
  read_timeval(fd, SO_SNDTIMEO, record, kSndTimeoSec, kSndTimeoUsec);
  linger value{};
  length = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_LINGER, &value, &length) == 0 && length == sizeof value) {
    record.set(kLingerOnOff, value.l_onoff);
    record.set(kLingerSec, value.l_linger);
  }
  // What netlink delivered (the hints' known bits) is the caller's to fill in.
  const auto known = [hints](uint32_t bit) { return (hints & bit) != 0; };
  if (!known(kHintKnownMark)) read_int(fd, SOL_SOCKET, SO_MARK, record, kMark);
  if (!known(kHintKnownPriority)) read_int(fd, SOL_SOCKET, SO_PRIORITY, record, kPriority);
  if (!known(kHintNoDevice)) read_string(fd, SOL_SOCKET, SO_BINDTODEVICE, record, kDeviceOffset);

  if (domain == AF_INET && !known(kHintKnownTos)) read_int(fd, SOL_IP, IP_TOS, record, kIpTos);
  if ((domain == AF_INET || domain == AF_INET6) && !known(kHintKnownInetFlags)) {
    read_int(fd, SOL_IP, IP_FREEBIND, record, kIpFreeBind);
    read_int(fd, SOL_IP, IP_TRANSPARENT, record, kIpTransparent);
  }
  if (domain == AF_INET6) {
    if (!known(kHintKnownTos)) read_int(fd, SOL_IPV6, IPV6_TCLASS, record, kIpv6TClass);
    if (!known(kHintKnownV6Only)) read_int(fd, SOL_IPV6, IPV6_V6ONLY, record, kIpv6V6Only);
  }
  if (tcp) {
    read_int(fd, SOL_TCP, TCP_NODELAY, record, kTcpNoDelay);
    read_int(fd, SOL_TCP, TCP_KEEPIDLE, record, kTcpKeepIdle);
    read_int(fd, SOL_TCP, TCP_KEEPINTVL, record, kTcpKeepIntvl);
    read_int(fd, SOL_TCP, TCP_KEEPCNT, record, kTcpKeepCnt);
    read_int(fd, SOL_TCP, TCP_USER_TIMEOUT, record, kTcpUserTimeout);
    if (unconnected) read_int(fd, SOL_TCP, TCP_FASTOPEN, record, kTcpFastOpen);
    read_int(fd, SOL_TCP, TCP_DEFER_ACCEPT, record, kTcpDeferAccept);
    if (unconnected) read_int(fd, SOL_TCP, TCP_MAXSEG, record, kTcpMaxSeg);
    read_int(fd, SOL_TCP, TCP_NOTSENT_LOWAT, record, kTcpNotSentLowat);
    if (!known(kHintKnownCongestion)) read_string(fd, SOL_TCP, TCP_CONGESTION, record, kCongestionOffset);
  }
}

// Reads targets [begin, end) into their records.
void read_range(const std::vector<Target>& targets, size_t begin, size_t end, uint8_t* records) {
  UniqueFd pidfd;
  uint32_t pidfd_of = 0;
  int pidfd_error = 0;   // pidfd_open's errno for pidfd_of, 0 when pidfd is open
  int getfd_denied = 0;  // EPERM/ENOSYS from pidfd_getfd: the same for every fd of the process
  bool opened = false;
  for (size_t i = begin; i < end; i++) {
    const Target& target = targets[i];
    Record record(records + i * kRecordBytes);
    record.set(kInode, target.inode);
    record.set(kPid, target.pid);
    record.set(kFd, target.fd);
    record.fail(kSyscallNone, 0);
    if (!opened || target.pid != pidfd_of) {
      pidfd.reset(pidfd_open(target.pid));
      pidfd_error = pidfd.valid() ? 0 : errno;
      pidfd_of = target.pid;
      getfd_denied = 0;
      opened = true;
    }
    if (pidfd_error != 0) {
      record.fail(kSyscallPidfdOpen, pidfd_error);
      continue;
    }
    if (getfd_denied != 0) {
      record.fail(kSyscallPidfdGetfd, getfd_denied);
      continue;
    }
    // Declared before `dup`, so released after it closes: no /proc scan of this
    // process sees the borrowed socket (util/borrow_gate.h).
    BorrowGate::Borrow borrow(BorrowGate::instance());
    UniqueFd dup(pidfd_getfd(pidfd.get(), target.fd));
    if (!dup.valid()) {
      const int error = errno;
      if (error == EPERM || error == ENOSYS) getfd_denied = error;
      record.fail(kSyscallPidfdGetfd, error);
      continue;
    }
    struct stat st {};
    if (::fstat(dup.get(), &st) != 0) {
      record.fail(kSyscallFstat, errno);
      continue;
    }
    if (!S_ISSOCK(st.st_mode) || st.st_ino != target.inode) {
      record.fail(kSyscallFstat, ESTALE);
      continue;
    }
    read_all(dup.get(), target.hints, record);
    // `dup` closes here: the owner's descriptor and socket are untouched.
  }
}

// Below this many sockets a second thread costs more than it saves.
constexpr size_t kMinPerThread = 4096;

// Reads every target, splitting large batches over threads at process boundaries.
void read_ranges(const std::vector<Target>& targets, std::vector<uint8_t>& records, unsigned max_threads) {
  size_t threads = std::max<size_t>(1, std::min<size_t>(max_threads, targets.size() / kMinPerThread));
  if (threads <= 1) {
    read_range(targets, 0, targets.size(), records.data());
    return;
  }
  // Split into contiguous ranges, each ending where a process's run of targets ends.
  std::vector<size_t> bounds{0};
  for (size_t t = 1; t < threads; t++) {
    size_t at = std::max(bounds.back(), targets.size() * t / threads);
    while (at > 0 && at < targets.size() && targets[at].pid == targets[at - 1].pid) at++;
    bounds.push_back(at);
  }
  bounds.push_back(targets.size());
  std::vector<std::thread> workers;
  try {
    for (size_t t = 1; t + 1 < bounds.size(); t++) {
      workers.emplace_back(read_range, std::cref(targets), bounds[t], bounds[t + 1], records.data());
    }
  } catch (const std::system_error&) {
    // No thread: the ranges not started are read below, on this one.
  }
  const size_t mine_end = bounds[1];
  read_range(targets, 0, mine_end, records.data());
  for (auto& worker : workers) worker.join();
  for (size_t t = workers.size() + 1; t + 1 < bounds.size(); t++) read_range(targets, bounds[t], bounds[t + 1], records.data());
}

double slot_of(const uint8_t* record, Slot slot) {
  double value;
  std::memcpy(&value, record + slot * 8, sizeof value);
  return value;
}

}  // namespace

bool read_socket_options(const std::vector<Target>& targets, std::vector<uint8_t>& records, SystemFailure& failure,
                         unsigned max_threads) {
  records.assign(targets.size() * kRecordBytes, 0);
  read_ranges(targets, records, max_threads);
  for (size_t i = 0; i < targets.size(); i++) {
    const uint8_t* record = records.data() + i * kRecordBytes;
    const int error = static_cast<int>(slot_of(record, kErrno));
    if (!out_of_descriptors(error)) continue;
    const char* syscall = slot_of(record, kSyscall) == kSyscallPidfdOpen ? "pidfd_open" : "pidfd_getfd";
    failure.error = error;
    failure.syscall = syscall;
    failure.message = std::string("reading socket options, ") + syscall + " for process " + std::to_string(targets[i].pid) +
                      " failed: " + std::strerror(error) + ". No file descriptor is free to read them; " +
                      kOutOfDescriptorsAdvice + ".";
    records.clear();
    return false;
  }
  return true;
}

}  // namespace knetstat::pidfd

// The record read_socket_options writes per target: float64 slots (every integer a
// getsockopt returns fits exactly), then two 16-byte NUL-padded strings. A slot whose
// getsockopt failed or was not attempted (wrong family/protocol, a value that would
// decide nothing, like a connection's autotuned buffers, or one the target's hints say
// the caller has from netlink) holds NaN.
// src/sources/pidfd/option-record.ts reads this layout; bump kOptionAbiVersion on change.
#pragma once

#include <cstddef>

namespace knetstat::pidfd {

constexpr int kOptionAbiVersion = 2;

enum Slot : int {
  // Header.
  kInode,
  kPid,
  kFd,
  kErrno,    // 0: options read; else the positive errno of `kSyscall`
  kSyscall,  // a Syscall below
  // SOL_SOCKET.
  kDomain,    // from the target's hints, else SO_DOMAIN
  kProtocol,  // from the target's hints, else SO_PROTOCOL
  kReuseAddr,
  kReusePort,
  kKeepAlive,
  kBroadcast,
  kRcvBuf,  // as getsockopt returns it: the kernel's doubled value
  kSndBuf,
  kRcvTimeoSec,
  kRcvTimeoUsec,
  kSndTimeoSec,
  kSndTimeoUsec,
  kLingerOnOff,
  kLingerSec,
  kMark,
  kPriority,
  // SOL_TCP.
  kTcpNoDelay,
  kTcpKeepIdle,
  kTcpKeepIntvl,
  kTcpKeepCnt,
  kTcpUserTimeout,
  kTcpFastOpen,
  kTcpDeferAccept,
  kTcpMaxSeg,
  kTcpNotSentLowat,
  // SOL_IP / SOL_IPV6.
  kIpTos,
  kIpFreeBind,
  kIpTransparent,
  kIpv6TClass,
  kIpv6V6Only,
  kSlotCount
};

enum Syscall : int {
  kSyscallNone = 0,
  kSyscallPidfdOpen = 1,
  kSyscallPidfdGetfd = 2,
  kSyscallFstat = 3,  // errno ESTALE: the fd now names another file (closed and reused)
};

constexpr size_t kStringBytes = 16;  // TCP_CA_NAME_MAX, IFNAMSIZ
constexpr size_t kCongestionOffset = kSlotCount * 8;
constexpr size_t kDeviceOffset = kCongestionOffset + kStringBytes;
constexpr size_t kRecordBytes = kDeviceOffset + kStringBytes;

}  // namespace knetstat::pidfd

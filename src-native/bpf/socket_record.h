// The record the bpf source's reader writes per socket (socket_reader.cc): float64
// slots holding the kernel's raw field values (every one fits a double exactly,
// but sk_rcvtimeo/sk_sndtimeo's MAX_SCHEDULE_TIMEOUT, which becomes 2^63), NaN where
// the field does not apply (TCP's fields of a UDP socket; IPv6's of an IPv4 one),
// then two 16-byte NUL-padded strings. src/sources/bpf/socket-record.ts reads this
// layout; bump kSocketAbiVersion on change.
#pragma once

#include <cstddef>

namespace knetstat::bpf {

constexpr int kSocketAbiVersion = 1;

enum Slot : int {
  kCookieLow,
  kCookieHigh,
  kInode,  // 0: no file (an orphan, a connection not yet accept()ed)
  kFamily,
  kState,
  kReuse,
  kReusePort,
  kV6Only,
  kKeepOpen,   // sock_flag(SOCK_KEEPOPEN)
  kLinger,     // sock_flag(SOCK_LINGER)
  kBroadcast,  // sock_flag(SOCK_BROADCAST)
  kUserLocks,
  kRcvBuf,  // as the kernel holds it: double what setsockopt passed
  kSndBuf,
  kRcvTimeo,  // jiffies
  kSndTimeo,
  kLingerTime,  // jiffies
  kMark,
  kPriority,
  kTos,
  kTClass,
  kFreeBind,
  kTransparent,
  kNoNagle,
  kKeepIdle,   // jiffies; 0: unset
  kKeepIntvl,  // jiffies; 0: unset
  kKeepCnt,    // 0: unset
  kUserTimeout,
  kDeferAccept,  // SYN-ACK retransmissions
  kFastOpenQlen,
  kNotSentLowat,
  kUserMss,
  kSlotCount
};

constexpr size_t kStringBytes = 16;  // TCP_CA_NAME_MAX, IFNAMSIZ
constexpr size_t kCongestionOffset = kSlotCount * 8;
constexpr size_t kDeviceOffset = kCongestionOffset + kStringBytes;
constexpr size_t kRecordBytes = kDeviceOffset + kStringBytes;

}  // namespace knetstat::bpf

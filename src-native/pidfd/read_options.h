// Reads the socket options of sockets held by other processes: pidfd_open once per
// process, pidfd_getfd per socket, fstat to check the duplicate is the same inode,
// getsockopt only, close at once. Never setsockopt/read/write/poll/shutdown: the
// owner cannot tell. Blocking; callers run it on a worker thread. Pure C++.
#pragma once

#include <cstdint>
#include <vector>

#include "util/system_failure.h"

namespace knetstat::pidfd {

// What the caller already knows of the socket (from netlink), so no getsockopt is
// spent on it: bits 0-7 the protocol (IPPROTO_TCP/UDP), 8-15 the family (AF_INET/6),
// bit 16 "not connected" (LISTEN/CLOSE: TCP_FASTOPEN, TCP_MAXSEG and the buffers mean
// something).
// 0: unknown, read SO_DOMAIN/SO_PROTOCOL and everything.
constexpr uint32_t kHintUnconnected = 1u << 16;
// Bits 17-23: the caller has these values from the netlink dump (the kernel reads
// the same field for the attribute as for the getsockopt), so they are not read and
// their slots stay NaN for the caller to fill (src/sources/pidfd/netlink-known.ts
// says which attribute stands for which option, and when).
constexpr uint32_t kHintKnownTos = 1u << 17;         // IP_TOS (AF_INET) or IPV6_TCLASS (AF_INET6)
constexpr uint32_t kHintKnownInetFlags = 1u << 18;   // IP_FREEBIND and IP_TRANSPARENT
constexpr uint32_t kHintKnownCongestion = 1u << 19;  // TCP_CONGESTION
constexpr uint32_t kHintKnownMark = 1u << 20;        // SO_MARK
constexpr uint32_t kHintKnownPriority = 1u << 21;    // SO_PRIORITY
constexpr uint32_t kHintNoDevice = 1u << 22;         // SO_BINDTODEVICE: bound to no device
constexpr uint32_t kHintKnownV6Only = 1u << 23;      // IPV6_V6ONLY

struct Target {
  uint32_t pid;
  uint32_t fd;
  uint32_t inode;
  uint32_t hints;
};

// Writes one option record (pidfd/option_record.h) per target, in order, into
// `records` (resized to fit). Targets of one process should be adjacent: its pidfd is
// opened once per run of the same pid. Large batches are split over up to
// `max_threads` threads at process boundaries. A socket's own failure stays in its
// record; running out of descriptors (EMFILE/ENFILE from pidfd_open or pidfd_getfd)
// says nothing of the socket, so it fails the whole read: false, `failure` filled.
bool read_socket_options(const std::vector<Target>& targets, std::vector<uint8_t>& records, SystemFailure& failure,
                         unsigned max_threads = 1);

}  // namespace knetstat::pidfd

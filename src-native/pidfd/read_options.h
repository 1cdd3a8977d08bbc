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

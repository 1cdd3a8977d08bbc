// Reads the socket options of sockets held by other processes: pidfd_open once per
// process, pidfd_getfd per socket, fstat to check the duplicate is the same inode,
// getsockopt only, close at once. Never setsockopt/read/write/poll/shutdown: the
// owner cannot tell. Blocking; callers run it on a worker thread. Pure C++.
#pragma once

#include <cstdint>
#include <vector>

namespace knetstat::pidfd {

struct Target {
  uint32_t pid;
  uint32_t fd;
  uint32_t inode;
};

// Appends one option record (pidfd/option_record.h) per target, in order. Targets of
// one process should be adjacent: its pidfd is opened once per run of the same pid.
void read_socket_options(const std::vector<Target>& targets, std::vector<uint8_t>& records);

}  // namespace knetstat::pidfd

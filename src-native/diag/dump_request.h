// What one SOCK_DIAG_BY_FAMILY dump asks for, and why a dump failed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace knetstat::diag {

struct DumpRequest {
  uint8_t family = 0;      // AF_INET / AF_INET6
  uint8_t protocol = 0;    // IPPROTO_TCP / IPPROTO_UDP
  uint8_t extensions = 0;  // idiag_ext: 1 << (INET_DIAG_* - 1) per wanted attribute
  uint32_t states = 0;     // idiag_states: 1 << state per wanted state
  std::vector<uint8_t> bytecode;  // INET_DIAG_REQ_BYTECODE, empty for none
};

struct DumpFailure {
  int error = 0;                 // positive errno
  const char* syscall = "";      // the call that reported it: socket, sendmsg, recvmsg
  std::string message;           // what happened and what to do
};

}  // namespace knetstat::diag

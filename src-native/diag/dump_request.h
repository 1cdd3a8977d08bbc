// What one sock_diag dump asks for.
#pragma once

#include <cstdint>
#include <vector>

namespace knetstat::diag {

struct DumpRequest {
  uint8_t family = 0;      // AF_INET / AF_INET6; 0 with TCP: both families (TCPDIAG_GETSOCK)
  uint8_t protocol = 0;    // IPPROTO_TCP / IPPROTO_UDP
  uint8_t extensions = 0;  // idiag_ext: 1 << (INET_DIAG_* - 1) per wanted attribute
  uint32_t states = 0;     // idiag_states: 1 << state per wanted state
  std::vector<uint8_t> bytecode;  // INET_DIAG_REQ_BYTECODE, empty for none
};

}  // namespace knetstat::diag

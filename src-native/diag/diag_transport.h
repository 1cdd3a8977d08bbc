// Where dump requests go and replies come from. The real one is a netlink socket
// (netlink_transport.h); tests script one to drive the retry and error paths.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace knetstat::diag {

class DiagTransport {
 public:
  virtual ~DiagTransport() = default;
  // Sends one request datagram; returns the bytes sent or -errno.
  virtual ssize_t send(const uint8_t* data, size_t size) = 0;
  // Receives one reply datagram into `data`; returns its length or -errno, and sets
  // `truncated` when it did not fit.
  virtual ssize_t receive(uint8_t* data, size_t capacity, bool& truncated) = 0;
};

}  // namespace knetstat::diag

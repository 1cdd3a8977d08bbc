// Where dump requests go and replies come from, and how a dump opens one. The real
// transport is a netlink socket (netlink_transport.h); tests script one
// (test/native/cxx/dump_cursor_test.cc) to drive the cursor through every path.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

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

// Opens a transport: an open one, or null with a positive errno (as from socket()) in `error`.
using TransportOpener = std::function<std::unique_ptr<DiagTransport>(int& error)>;

}  // namespace knetstat::diag

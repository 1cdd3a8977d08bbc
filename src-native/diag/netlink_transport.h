// A NETLINK_SOCK_DIAG socket as a DiagTransport: opened with a big receive queue and
// a receive timeout, closed on destruction. It dumps the network namespace it was
// opened in: the caller's, or the one it is given (netns/in_netns.h).
#pragma once

#include <memory>

#include "diag/diag_transport.h"
#include "util/unique_fd.h"

namespace knetstat::diag {

class NetlinkTransport final : public DiagTransport {
 public:
  // Opens the socket in the namespace `netns_fd` (< 0: the caller's); returns 0 or
  // a positive errno from setns() or socket().
  int open(int netns_fd = -1);
  ssize_t send(const uint8_t* data, size_t size) override;
  ssize_t receive(uint8_t* data, size_t capacity, bool& truncated) override;

 private:
  UniqueFd fd_;
};

// A TransportOpener (diag_transport.h) for the real thing: an open NetlinkTransport,
// or null with the errno of socket() in `error`.
std::unique_ptr<DiagTransport> open_netlink_transport(int& error);

// The same in the network namespace `netns_fd` (< 0: the caller's).
std::unique_ptr<DiagTransport> open_netlink_transport_in(int netns_fd, int& error);

}  // namespace knetstat::diag

#include "diag/netlink_transport.h"

#include "netns/in_netns.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>

namespace knetstat::diag {
namespace {

// A deeper socket queue lets the kernel run ahead while we parse.
constexpr int kSocketReceiveBuffer = 4 * 1024 * 1024;
// Bounds a recvmsg that the kernel never answers (it always should).
constexpr int kReceiveTimeoutSeconds = 30;

}  // namespace

int NetlinkTransport::open(int netns_fd) {
  int error = 0;
  const int entered = netns::run_in_netns(netns_fd, [&] {
    fd_.reset(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!fd_.valid()) error = errno;
  });
  if (entered != 0) return entered;
  if (error != 0) return error;
  // Best effort: FORCE works with CAP_NET_ADMIN, plain SO_RCVBUF is capped by rmem_max.
  if (::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kSocketReceiveBuffer, sizeof kSocketReceiveBuffer) != 0)
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &kSocketReceiveBuffer, sizeof kSocketReceiveBuffer);
  timeval timeout{kReceiveTimeoutSeconds, 0};
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return 0;
}

std::unique_ptr<DiagTransport> open_netlink_transport(int& error) { return open_netlink_transport_in(-1, error); }

std::unique_ptr<DiagTransport> open_netlink_transport_in(int netns_fd, int& error) {
  auto transport = std::make_unique<NetlinkTransport>();
  error = transport->open(netns_fd);
  if (error != 0) return nullptr;
  return transport;
}

ssize_t NetlinkTransport::send(const uint8_t* data, size_t size) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  iovec io{const_cast<uint8_t*>(data), size};
  msghdr msg{};
  msg.msg_name = &kernel;
  msg.msg_namelen = sizeof kernel;
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  ssize_t sent;
  do sent = ::sendmsg(fd_.get(), &msg, 0);
  while (sent < 0 && errno == EINTR);
  return sent < 0 ? -errno : sent;
}

ssize_t NetlinkTransport::receive(uint8_t* data, size_t capacity, bool& truncated) {
  iovec io{data, capacity};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  ssize_t received;
  do received = ::recvmsg(fd_.get(), &msg, 0);
  while (received < 0 && errno == EINTR);
  if (received < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT : -errno;
  truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  return received;
}

}  // namespace knetstat::diag

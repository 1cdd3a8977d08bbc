#include "netns/in_netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

namespace knetstat::netns {

int run_in_netns(int netns_fd, const std::function<void()>& open) {
  if (netns_fd < 0) {
    open();
    return 0;
  }
  int error = 0;
  try {
    // The thread ends in the namespace it entered: it is never reused.
    std::thread opener([&] {
      if (::setns(netns_fd, CLONE_NEWNET) != 0) {
        error = errno;
        return;
      }
      open();
    });
    opener.join();
  } catch (const std::system_error& e) {
    return e.code().value() != 0 ? e.code().value() : EAGAIN;
  }
  return error;
}

int dup_netns(int netns_fd) {
  if (netns_fd < 0) return -1;
  const int fd = ::fcntl(netns_fd, F_DUPFD_CLOEXEC, 0);
  return fd < 0 ? -errno : fd;
}

}  // namespace knetstat::netns

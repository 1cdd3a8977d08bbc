#include "netns/in_netns.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

#include "util/unique_fd.h"

namespace knetstat::netns {
namespace {

// Enough for setns, a few opens and the std::function call between them.
constexpr size_t kOwnerStackBytes = 256 * 1024;

struct OwnerWork {
  int user_ns;
  int net_ns;
  const std::function<void()>* open;
  int error;
};

// Runs in the clone of run_as_owner: its own process (so it may join a user
// namespace, which no thread of a multithreaded process may), sharing our memory
// and descriptor table, so what `open` opens and writes is ours when it exits.
int owner_child(void* arg) {
  auto* work = static_cast<OwnerWork*>(arg);
  if (::setns(work->user_ns, CLONE_NEWUSER) != 0 || ::setns(work->net_ns, CLONE_NEWNET) != 0) {
    work->error = errno;
    return 0;
  }
  (*work->open)();
  return 0;
}

// An unprivileged caller may enter a network namespace whose user namespace it
// owns (`unshare --user --net`), but only after joining that user namespace. The
// joining is done by a vfork-like clone that exits when done: we never change ours.
int run_as_owner(int netns_fd, const std::function<void()>& open) {
  UniqueFd user_ns(::ioctl(netns_fd, NS_GET_USERNS));
  if (!user_ns.valid()) return EPERM;
  void* stack = ::mmap(nullptr, kOwnerStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return errno;
  OwnerWork work{user_ns.get(), netns_fd, &open, 0};
  // No exit signal: nothing else (libuv's SIGCHLD handling) sees this child.
  const pid_t child = ::clone(owner_child, static_cast<char*>(stack) + kOwnerStackBytes,
                              CLONE_VM | CLONE_FILES | CLONE_VFORK, &work);
  int error = child < 0 ? errno : 0;
  if (child > 0) {
    int status = 0;
    while (::waitpid(child, &status, __WALL) < 0 && errno == EINTR) {
    }
    error = work.error;
  }
  ::munmap(stack, kOwnerStackBytes);
  // Not its owner either (or the clone failed): the first refusal is the answer.
  return error == 0 ? 0 : EPERM;
}

}  // namespace

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
  if (error == EPERM) return run_as_owner(netns_fd, open);
  return error;
}

int dup_netns(int netns_fd) {
  if (netns_fd < 0) return -1;
  const int fd = ::fcntl(netns_fd, F_DUPFD_CLOEXEC, 0);
  return fd < 0 ? -errno : fd;
}

}  // namespace knetstat::netns

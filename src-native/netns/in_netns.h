// Work done inside another network namespace. What a socket, a BPF iterator or a
// /proc/thread-self/net file is bound to is the namespace of the thread that opens
// it, and stays so wherever it is used later. So the opening alone happens on a
// short-lived thread of its own that enters the namespace and ends there: no thread
// that runs anything else (Node's, libuv's pool) ever changes namespace.
#pragma once

#include <functional>

namespace knetstat::netns {

// Runs `open` on a new thread that first enters the network namespace `netns_fd` (a
// descriptor of an nsfs file: /proc/PID/ns/net, /run/netns/NAME); with netns_fd < 0,
// runs it here. Without CAP_SYS_ADMIN over the namespace, a caller that owns its
// user namespace still gets in: `open` then runs in a short-lived clone that joins
// that user namespace first, sharing our memory and descriptors (so `open` may
// only make system calls and write to memory it was given). Returns 0, or the
// errno of setns (EPERM: neither; EINVAL: not a network namespace) or of the
// thread's creation.
int run_in_netns(int netns_fd, const std::function<void()>& open);

// A descriptor of the same namespace that the caller owns (F_DUPFD_CLOEXEC), or -1
// for netns_fd < 0. Returns -errno when it cannot be duplicated.
int dup_netns(int netns_fd);

}  // namespace knetstat::netns

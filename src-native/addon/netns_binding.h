// The network namespace a call works in, as JS names it: a descriptor of an nsfs
// file that the library opened (src/netns/). The addon keeps its own duplicate for
// as long as it needs one, so the library may close its descriptor at any time.
#pragma once

#include <napi.h>

#include "util/unique_fd.h"

namespace knetstat::addon {

// `value` undefined or null: the caller's namespace (an invalid UniqueFd). A
// non-negative integer: a duplicate of that descriptor. Throws a TypeError for
// anything else, and a system error when it cannot be duplicated.
UniqueFd read_netns_fd(Napi::Env env, const Napi::Value& value, const char* function);

// openInNetns(netnsFd, paths): for each path, a descriptor opened read-only from
// inside the namespace (/proc/thread-self/net/tcpstat, /proc/sys/net/...), or
// -errno. Throws a system error (syscall 'setns') when the namespace cannot be
// entered. Synchronous: a thread is started, opens a few files and ends.
Napi::Value open_in_netns(const Napi::CallbackInfo& info);

}  // namespace knetstat::addon

// Why a blocking operation of the native cores failed: the errno, the call that
// reported it, and a message that says what happened and what to do. The netlink
// dump (diag/), the /proc scan (proc/) and the option reader (pidfd/) fill it on their
// worker threads; addon/system_error.h turns it into the JS error, in one place.
#pragma once

#include <string>

namespace knetstat {

struct SystemFailure {
  int error = 0;             // positive errno
  const char* syscall = "";  // the call that reported it: socket, sendmsg, recvmsg, open, pidfd_open, ...
  std::string message;       // what happened and what to do
};

}  // namespace knetstat

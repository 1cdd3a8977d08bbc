// The failures of a netlink dump as SystemFailures whose message says what happened,
// in terms of the request, and what the user can do about it.
#pragma once

#include <string>

#include "diag/dump_request.h"
#include "util/system_failure.h"

namespace knetstat::diag {

// Names the request like "TCP/IPv4" (or the raw numbers when they are not TCP/UDP/IP).
std::string describe_request(const DumpRequest& request);

// A failure of `syscall` with positive errno `error` while serving `request`
// (null for failures before any request, e.g. socket()). `detail` adds parser text.
SystemFailure make_failure(int error, const char* syscall, const DumpRequest* request,
                            const char* detail = nullptr);

}  // namespace knetstat::diag

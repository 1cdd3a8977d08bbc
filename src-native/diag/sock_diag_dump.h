// The netlink client's entry point: one NETLINK_SOCK_DIAG socket, every request
// dumped over it in order. Blocking; callers run it on a worker thread.
#pragma once

#include <vector>

#include "diag/dump_request.h"
#include "util/system_failure.h"
#include "util/byte_buffer.h"

namespace knetstat::diag {

// Appends the records of all requests, in order, to `records`. Returns false and
// fills `failure` on the first failing request; `records` is then unspecified.
bool dump_sockets(const std::vector<DumpRequest>& requests, ByteBuffer& records, SystemFailure& failure);

}  // namespace knetstat::diag

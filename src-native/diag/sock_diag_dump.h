// The I/O half of the netlink client: opens a NETLINK_SOCK_DIAG socket, sends each
// request, receives the dump and runs parse_reply over every datagram. Blocking;
// callers run it on a worker thread.
#pragma once

#include <cstdint>
#include <vector>

#include "util/byte_buffer.h"

#include "diag/dump_request.h"

namespace knetstat::diag {

// A dump whose every attempt was flagged NLM_F_DUMP_INTR fails after this many.
constexpr int kMaxDumpAttempts = 5;

// Appends the records of all requests, in order, to `records`. Returns false and
// fills `failure` on the first failing request; `records` is then unspecified.
bool dump_sockets(const std::vector<DumpRequest>& requests, ByteBuffer& records,
                  DumpFailure& failure);

}  // namespace knetstat::diag

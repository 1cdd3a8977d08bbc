// The sock_diag dump protocol over any DiagTransport: builds each request, reads
// datagrams until NLMSG_DONE, parses them into records, and retries a dump the
// kernel flagged NLM_F_DUMP_INTR (at most kMaxDumpAttempts times).
#pragma once

#include <vector>

#include "diag/diag_transport.h"
#include "diag/dump_request.h"
#include "util/system_failure.h"
#include "util/byte_buffer.h"

namespace knetstat::diag {

// A dump whose every attempt was flagged NLM_F_DUMP_INTR fails after this many.
constexpr int kMaxDumpAttempts = 5;

// Appends the records of all requests, in order, to `records`. Returns false and
// fills `failure` on the first failing request. Throws std::bad_alloc.
bool run_dumps(DiagTransport& transport, const std::vector<DumpRequest>& requests, ByteBuffer& records,
               SystemFailure& failure);

}  // namespace knetstat::diag

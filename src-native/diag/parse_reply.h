// Pure parser of NETLINK_SOCK_DIAG dump replies: bytes in, compact records out
// (record_layout.h). No I/O, no N-API, no allocation besides growing `out`,
// so it can be unit-tested with crafted bytes and fuzzed.
//
// Rules:
// - Any length that does not add up (a header or attribute running past its
//   container, an nlmsg_len/rta_len below its header, a payload too short for what
//   its type must carry) ends parsing with EBADMSG: framing cannot be trusted after.
// - Unknown message types, unknown attributes, records of another family and
//   messages of another sequence number are skipped (counted), for forward
//   compatibility and stray replies.
// - A known attribute longer than expected is read by its known prefix.
// - NLMSG_ERROR with a negative code ends with that errno; code 0 (an ack) is skipped.
// - NLMSG_DONE ends the dump; a negative code in its payload is an error.
// - NLM_F_DUMP_INTR on any message sets `interrupted`; parsing continues.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/byte_buffer.h"

namespace knetstat::diag {

struct ParseOptions {
  // Stamped into each record: inet_diag_msg does not say which protocol was dumped.
  uint8_t protocol = 0;
  // When set, messages whose nlmsg_seq differs are skipped.
  bool check_seq = false;
  uint32_t seq = 0;
  // nlmsg_type of the messages that carry sockets: SOCK_DIAG_BY_FAMILY (20), or
  // TCPDIAG_GETSOCK (18) for the both-families dump, whose replies echo that type.
  uint16_t record_type = 20;
};

enum class ReplyEnd {
  kNeedMore,  // every message was consumed; the dump goes on in the next datagram
  kDone,      // NLMSG_DONE with a success code
  kError,     // NLMSG_ERROR, NLMSG_DONE with an error, or malformed bytes
};

struct ParseResult {
  ReplyEnd end = ReplyEnd::kNeedMore;
  int error = 0;                  // positive errno when end == kError
  const char* detail = nullptr;   // static text for malformed input, else null
  bool interrupted = false;       // NLM_F_DUMP_INTR seen
  uint32_t records = 0;           // records appended to `out`
  uint32_t skipped = 0;           // messages ignored by the skip rules
};

// Parses one datagram of a dump reply and appends a record per socket to `out`.
// On kError, records of this call may already be appended; callers discard them.
ParseResult parse_reply(const uint8_t* data, size_t size, const ParseOptions& options,
                        ByteBuffer& out);

}  // namespace knetstat::diag

#include "diag/dump_session.h"

#include <cerrno>
#include <cstdint>

#include "diag/encode_request.h"
#include "diag/failure_message.h"
#include "diag/parse_reply.h"

namespace knetstat::diag {
namespace {

// The kernel sizes dump datagrams after the reader's buffer, up to 32 KiB; 64 KiB
// leaves room so no datagram is ever truncated.
constexpr size_t kReceiveBufferSize = 64 * 1024;

class DumpSession {
 public:
  DumpSession(DiagTransport& transport, ByteBuffer& records)
      : transport_(transport), records_(records), buffer_(kReceiveBufferSize) {}

  bool dump(const DumpRequest& request, SystemFailure& failure) {
    const size_t mark = records_.size();
    for (int attempt = 0; attempt < kMaxDumpAttempts; attempt++) {
      bool interrupted = false;
      if (!send_request(request, failure) || !receive_dump(request, interrupted, failure)) return false;
      if (!interrupted) return true;
      records_.truncate(mark);  // an inconsistent snapshot: drop it and dump again
    }
    failure = make_failure(EINTR, "recvmsg", &request);
    return false;
  }

 private:
  bool send_request(const DumpRequest& request, SystemFailure& failure) {
    std::vector<uint8_t> message;
    if (!encode_request(request, ++seq_, message, failure)) return false;
    const ssize_t sent = transport_.send(message.data(), message.size());
    if (sent < 0) {
      failure = make_failure(static_cast<int>(-sent), "sendmsg", &request);
      return false;
    }
    if (static_cast<size_t>(sent) != message.size()) {
      failure = make_failure(EMSGSIZE, "sendmsg", &request, "the request was sent only in part");
      return false;
    }
    return true;
  }

  bool receive_dump(const DumpRequest& request, bool& interrupted, SystemFailure& failure) {
    ParseOptions options;
    options.protocol = request.protocol;
    options.check_seq = true;
    options.seq = seq_;
    options.record_type = reply_type(request);
    for (;;) {
      bool truncated = false;
      const ssize_t received = transport_.receive(buffer_.data(), buffer_.size(), truncated);
      if (received < 0) {
        failure = make_failure(static_cast<int>(-received), "recvmsg", &request);
        return false;
      }
      if (truncated) {
        failure = make_failure(EMSGSIZE, "recvmsg", &request, "datagram truncated");
        return false;
      }
      if (received == 0) {
        failure = make_failure(EBADMSG, "recvmsg", &request, "empty datagram before NLMSG_DONE");
        return false;
      }
      const ParseResult result = parse_reply(buffer_.data(), static_cast<size_t>(received), options, records_);
      if (result.interrupted) interrupted = true;
      if (result.end == ReplyEnd::kError) {
        failure = make_failure(result.error, "recvmsg", &request, result.detail);
        return false;
      }
      if (result.end == ReplyEnd::kDone) return true;
    }
  }

  DiagTransport& transport_;
  ByteBuffer& records_;
  std::vector<uint8_t> buffer_;
  uint32_t seq_ = 0;
};

}  // namespace

bool run_dumps(DiagTransport& transport, const std::vector<DumpRequest>& requests, ByteBuffer& records,
               SystemFailure& failure) {
  DumpSession session(transport, records);
  for (const DumpRequest& request : requests)
    if (!session.dump(request, failure)) return false;
  return true;
}

}  // namespace knetstat::diag

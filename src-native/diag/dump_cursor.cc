#include "diag/dump_cursor.h"

#include <cerrno>

#include "diag/encode_request.h"
#include "diag/failure_message.h"
#include "diag/parse_reply.h"

namespace knetstat::diag {
namespace {

// The kernel sizes dump datagrams after the reader's buffer, up to 32 KiB; 64 KiB
// leaves room so no datagram is ever truncated.
constexpr size_t kReceiveBufferSize = 64 * 1024;

}  // namespace

void DumpCursor::close() {
  transport_.reset();  // a NetlinkTransport closes its socket
  done_ = true;
  std::vector<uint8_t>().swap(buffer_);
}

bool DumpCursor::send_request(const DumpRequest& request, SystemFailure& failure) {
  std::vector<uint8_t> message;
  if (!encode_request(request, ++seq_, message, failure)) return false;
  const ssize_t sent = transport_->send(message.data(), message.size());
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

bool DumpCursor::next(size_t min_bytes, ByteBuffer& out, SystemFailure& failure) {
  const size_t start = out.size();
  while (!done_ && out.size() - start < min_bytes) {
    if (index_ >= requests_.size()) {
      close();
      break;
    }
    if (!transport_) {
      int error = 0;
      std::unique_ptr<DiagTransport> transport = open_(error);
      if (!transport) {
        close();
        failure = make_failure(error != 0 ? error : EIO, "socket", nullptr);
        return false;
      }
      transport_ = std::move(transport);
      buffer_.resize(kReceiveBufferSize);
    }
    const DumpRequest& request = requests_[index_];
    if (!sent_) {
      if (!send_request(request, failure)) {
        close();
        return false;
      }
      sent_ = true;
    }
    bool truncated = false;
    const ssize_t received = transport_->receive(buffer_.data(), buffer_.size(), truncated);
    if (received <= 0 || truncated) {
      const int error = received < 0 ? static_cast<int>(-received) : truncated ? EMSGSIZE : EBADMSG;
      failure = make_failure(error, "recvmsg", &request,
                             truncated ? "datagram truncated" : received == 0 ? "empty datagram before NLMSG_DONE" : nullptr);
      close();
      return false;
    }
    ParseOptions options;
    options.protocol = request.protocol;
    options.check_seq = true;
    options.seq = seq_;
    options.record_type = reply_type(request);
    const ParseResult result = parse_reply(buffer_.data(), static_cast<size_t>(received), options, out);
    if (result.interrupted) interrupted_ = true;
    if (result.end == ReplyEnd::kError) {
      failure = make_failure(result.error, "recvmsg", &request, result.detail);
      close();
      return false;
    }
    if (result.end == ReplyEnd::kDone) {
      index_++;
      sent_ = false;
      if (index_ >= requests_.size()) close();
    }
  }
  return true;
}

}  // namespace knetstat::diag

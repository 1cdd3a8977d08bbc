#include "diag/dump_cursor.h"

#include <cerrno>
#include <cstring>

#include "diag/bytes.h"
#include "diag/failure_message.h"
#include "diag/inet_diag_abi.h"
#include "diag/parse_reply.h"

namespace knetstat::diag {
namespace {

// As in dump_session.cc: the kernel sizes dump datagrams up to 32 KiB.
constexpr size_t kReceiveBufferSize = 64 * 1024;

}  // namespace

void DumpCursor::close() {
  transport_.reset();  // its UniqueFd closes the socket
  done_ = true;
  std::vector<uint8_t>().swap(buffer_);
}

bool DumpCursor::send_request(const DumpRequest& request, DumpFailure& failure) {
  if (request.bytecode.size() > UINT16_MAX - abi::kAttrHeaderSize) {
    failure = make_failure(EINVAL, "sendmsg", &request, "bytecode longer than a netlink attribute can carry");
    return false;
  }
  seq_++;
  const size_t bytecode_attr = request.bytecode.empty() ? 0 : abi::kAttrHeaderSize + request.bytecode.size();
  const size_t length = abi::kNlmsgHeaderSize + abi::kReqV2Size + align_up(bytecode_attr, abi::kAttrAlignTo);
  std::vector<uint8_t> message(length, 0);
  uint8_t* header = message.data();
  store<uint32_t>(header + abi::kNlmsgLenOffset, static_cast<uint32_t>(length));
  store<uint16_t>(header + abi::kNlmsgTypeOffset, abi::kSockDiagByFamily);
  store<uint16_t>(header + abi::kNlmsgFlagsOffset, abi::kNlmFlagRequest | abi::kNlmFlagDump);
  store<uint32_t>(header + abi::kNlmsgSeqOffset, seq_);
  uint8_t* req = header + abi::kNlmsgHeaderSize;
  req[0] = request.family;
  req[1] = request.protocol;
  req[2] = request.extensions;
  store<uint32_t>(req + 4, request.states);
  if (bytecode_attr) {
    uint8_t* attr = req + abi::kReqV2Size;
    store<uint16_t>(attr, static_cast<uint16_t>(bytecode_attr));
    store<uint16_t>(attr + 2, abi::kReqAttrBytecode);
    std::memcpy(attr + abi::kAttrHeaderSize, request.bytecode.data(), request.bytecode.size());
  }
  const ssize_t sent = transport_->send(message.data(), message.size());
  if (sent < 0) {
    failure = make_failure(static_cast<int>(-sent), "sendmsg", &request);
    return false;
  }
  if (static_cast<size_t>(sent) != length) {
    failure = make_failure(EMSGSIZE, "sendmsg", &request, "the request was sent only in part");
    return false;
  }
  return true;
}

bool DumpCursor::next(size_t min_bytes, ByteBuffer& out, DumpFailure& failure) {
  const size_t start = out.size();
  while (!done_ && out.size() - start < min_bytes) {
    if (index_ >= requests_.size()) {
      close();
      break;
    }
    if (!transport_) {
      auto transport = std::make_unique<NetlinkTransport>();
      if (const int error = transport->open()) {
        close();
        failure = make_failure(error, "socket", nullptr);
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

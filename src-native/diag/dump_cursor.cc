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
// The compatibility request (include/uapi/linux/inet_diag.h): TCPDIAG_GETSOCK with
// struct inet_diag_req (v1), 60 bytes.
constexpr uint16_t kTcpDiagGetSock = 18;
constexpr size_t kReqV1Size = 60;
constexpr uint8_t kIpprotoTcp = 6;

}  // namespace

void DumpCursor::close() {
  transport_.reset();  // its UniqueFd closes the socket
  done_ = true;
  std::vector<uint8_t>().swap(buffer_);
}

bool DumpCursor::send_request(const DumpRequest& request, SystemFailure& failure) {
  if (request.bytecode.size() > UINT16_MAX - abi::kAttrHeaderSize) {
    failure = make_failure(EINVAL, "sendmsg", &request, "bytecode longer than a netlink attribute can carry");
    return false;
  }
  // Family 0: both families of TCP in one walk of the kernel's tables, through the
  // compatibility request (TCPDIAG_GETSOCK + struct inet_diag_req, which the kernel
  // dumps as AF_UNSPEC); a request per family walks every socket twice.
  const bool both = request.family == 0;
  if (both && request.protocol != kIpprotoTcp) {
    failure = make_failure(EINVAL, "sendmsg", &request, "only TCP can be dumped for both families at once");
    return false;
  }
  seq_++;
  const size_t request_size = both ? kReqV1Size : abi::kReqV2Size;
  const size_t bytecode_attr = request.bytecode.empty() ? 0 : abi::kAttrHeaderSize + request.bytecode.size();
  const size_t length = abi::kNlmsgHeaderSize + request_size + align_up(bytecode_attr, abi::kAttrAlignTo);
  std::vector<uint8_t> message(length, 0);
  uint8_t* header = message.data();
  store<uint32_t>(header + abi::kNlmsgLenOffset, static_cast<uint32_t>(length));
  store<uint16_t>(header + abi::kNlmsgTypeOffset, both ? kTcpDiagGetSock : abi::kSockDiagByFamily);
  store<uint16_t>(header + abi::kNlmsgFlagsOffset, abi::kNlmFlagRequest | abi::kNlmFlagDump);
  store<uint32_t>(header + abi::kNlmsgSeqOffset, seq_);
  uint8_t* req = header + abi::kNlmsgHeaderSize;
  if (both) {
    // struct inet_diag_req: u8 family, u8 src_len, u8 dst_len, u8 ext, sockid (48), u32 states, u32 dbs.
    req[0] = abi::kFamilyInet;  // ignored by dumps, which take every family
    req[3] = request.extensions;
    store<uint32_t>(req + 52, request.states);
  } else {
    req[0] = request.family;
    req[1] = request.protocol;
    req[2] = request.extensions;
    store<uint32_t>(req + 4, request.states);
  }
  if (bytecode_attr) {
    uint8_t* attr = req + request_size;
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

bool DumpCursor::next(size_t min_bytes, ByteBuffer& out, SystemFailure& failure) {
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
    options.record_type = request.family == 0 ? kTcpDiagGetSock : abi::kSockDiagByFamily;
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

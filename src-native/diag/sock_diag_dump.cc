#include "diag/sock_diag_dump.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "diag/bytes.h"
#include "diag/failure_message.h"
#include "diag/inet_diag_abi.h"
#include "diag/parse_reply.h"
#include "util/unique_fd.h"

namespace knetstat::diag {
namespace {

// The kernel sizes dump datagrams after the reader's buffer, up to 32 KiB; 64 KiB
// leaves room so no datagram is ever truncated.
constexpr size_t kReceiveBufferSize = 64 * 1024;
// A deeper socket queue lets the kernel run ahead while we parse.
constexpr int kSocketReceiveBuffer = 4 * 1024 * 1024;
// Bounds a recvmsg that the kernel never answers (it always should).
constexpr int kReceiveTimeoutSeconds = 30;

class DumpSession {
 public:
  explicit DumpSession(ByteBuffer& records) : records_(records), buffer_(kReceiveBufferSize) {}

  bool open(DumpFailure& failure) {
    fd_.reset(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!fd_.valid()) {
      failure = make_failure(errno, "socket", nullptr);
      return false;
    }
    // Best effort: FORCE works with CAP_NET_ADMIN, plain SO_RCVBUF is capped by rmem_max.
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kSocketReceiveBuffer, sizeof kSocketReceiveBuffer) != 0)
      ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &kSocketReceiveBuffer, sizeof kSocketReceiveBuffer);
    timeval timeout{kReceiveTimeoutSeconds, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return true;
  }

  // Dumps one request, retrying while the kernel flags the dump as interrupted.
  bool dump(const DumpRequest& request, DumpFailure& failure) {
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
  bool send_request(const DumpRequest& request, DumpFailure& failure) {
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
    store<uint32_t>(req + 4, request.states);  // the sockid stays zero: match everything
    if (bytecode_attr) {
      uint8_t* attr = req + abi::kReqV2Size;
      store<uint16_t>(attr, static_cast<uint16_t>(bytecode_attr));
      store<uint16_t>(attr + 2, abi::kReqAttrBytecode);
      std::memcpy(attr + abi::kAttrHeaderSize, request.bytecode.data(), request.bytecode.size());
    }

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    iovec io{message.data(), message.size()};
    msghdr msg{};
    msg.msg_name = &kernel;
    msg.msg_namelen = sizeof kernel;
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    ssize_t sent;
    do sent = ::sendmsg(fd_.get(), &msg, 0);
    while (sent < 0 && errno == EINTR);
    if (sent < 0) {
      failure = make_failure(errno, "sendmsg", &request);
      return false;
    }
    if (static_cast<size_t>(sent) != length) {
      failure = make_failure(EMSGSIZE, "sendmsg", &request, "the request was sent only in part");
      return false;
    }
    return true;
  }

  bool receive_dump(const DumpRequest& request, bool& interrupted, DumpFailure& failure) {
    ParseOptions options;
    options.protocol = request.protocol;
    options.check_seq = true;
    options.seq = seq_;
    for (;;) {
      iovec io{buffer_.data(), buffer_.size()};
      msghdr msg{};
      msg.msg_iov = &io;
      msg.msg_iovlen = 1;
      ssize_t received;
      do received = ::recvmsg(fd_.get(), &msg, 0);
      while (received < 0 && errno == EINTR);
      if (received < 0) {
        const int error = (errno == EAGAIN || errno == EWOULDBLOCK) ? ETIMEDOUT : errno;
        failure = make_failure(error, "recvmsg", &request);
        return false;
      }
      if (msg.msg_flags & MSG_TRUNC) {
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

  ByteBuffer& records_;
  std::vector<uint8_t> buffer_;
  UniqueFd fd_;
  uint32_t seq_ = 0;
};

}  // namespace

bool dump_sockets(const std::vector<DumpRequest>& requests, ByteBuffer& records,
                  DumpFailure& failure) {
  try {
    DumpSession session(records);
    if (!session.open(failure)) return false;
    for (const DumpRequest& request : requests)
      if (!session.dump(request, failure)) return false;
    return true;
  } catch (const std::bad_alloc&) {
    records = ByteBuffer();  // give the memory back before building the message
    failure = make_failure(ENOMEM, "recvmsg", nullptr);
    return false;
  }
}

}  // namespace knetstat::diag

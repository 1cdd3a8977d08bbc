// The dump protocol (src-native/diag/dump_session) over a scripted transport:
// NLM_F_DUMP_INTR retries, their bound, and errors from each step.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "diag/dump_session.h"

using knetstat::ByteBuffer;
using namespace knetstat::diag;

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("%s - %s\n", ok ? "ok" : "not ok", what.c_str());
  if (!ok) failures++;
}

void put16(std::vector<uint8_t>& v, size_t at, uint16_t x) { std::memcpy(&v[at], &x, 2); }
void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) { std::memcpy(&v[at], &x, 4); }

std::vector<uint8_t> message(uint16_t type, uint16_t flags, uint32_t seq, size_t payload) {
  std::vector<uint8_t> msg(16 + payload, 0);
  put32(msg, 0, static_cast<uint32_t>(msg.size()));
  put16(msg, 4, type);
  put16(msg, 6, flags);
  put32(msg, 8, seq);
  return msg;
}

std::vector<uint8_t> socket_message(uint32_t seq, uint16_t flags = 2) {
  auto msg = message(20, flags, seq, 72);
  msg[16] = 2;  // AF_INET
  msg[17] = 1;  // ESTABLISHED
  return msg;
}

std::vector<uint8_t> done_message(uint32_t seq, int32_t code = 0) {
  auto msg = message(3, 2, seq, 4);
  std::memcpy(&msg[16], &code, 4);
  return msg;
}

std::vector<uint8_t> error_message(uint32_t seq, int errno_value) {
  auto msg = message(2, 0, seq, 4);
  const int32_t code = -errno_value;
  std::memcpy(&msg[16], &code, 4);
  return msg;
}

std::vector<uint8_t> join(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Each reply is made from the seq of the last request; a negative `error` is returned as is.
struct Reply {
  std::function<std::vector<uint8_t>(uint32_t seq)> bytes;
  ssize_t error = 0;
  bool truncated = false;
};

class ScriptedTransport final : public DiagTransport {
 public:
  std::deque<Reply> replies;
  ssize_t send_result = 0;  // 0: echo the size
  int requests = 0;
  std::vector<uint8_t> last_request;

  ssize_t send(const uint8_t* data, size_t size) override {
    requests++;
    last_request.assign(data, data + size);
    std::memcpy(&seq_, data + 8, 4);
    return send_result ? send_result : static_cast<ssize_t>(size);
  }
  ssize_t receive(uint8_t* data, size_t capacity, bool& truncated) override {
    if (replies.empty()) return -EAGAIN;
    Reply reply = replies.front();
    replies.pop_front();
    truncated = reply.truncated;
    if (reply.error) return reply.error;
    auto bytes = reply.bytes(seq_);
    if (!bytes.empty()) std::memcpy(data, bytes.data(), std::min(bytes.size(), capacity));
    return static_cast<ssize_t>(bytes.size());
  }

 private:
  uint32_t seq_ = 0;
};

DumpRequest tcp4() {
  DumpRequest r;
  r.family = 2;
  r.protocol = 6;
  r.states = 0xffffffff;
  r.extensions = 2;
  return r;
}

size_t record_count(const ByteBuffer& out) {
  size_t n = 0;
  for (size_t at = 0; at < out.size(); n++) {
    uint32_t size;
    std::memcpy(&size, out.data() + at, 4);
    at += size;
  }
  return n;
}

Reply interrupted_dump() {
  return {[](uint32_t seq) { return join({socket_message(seq), socket_message(seq, 2 | 0x10), done_message(seq)}); }};
}

Reply clean_dump(int sockets) {
  return {[sockets](uint32_t seq) {
    std::vector<uint8_t> out;
    for (int i = 0; i < sockets; i++) {
      auto m = socket_message(seq);
      out.insert(out.end(), m.begin(), m.end());
    }
    auto d = done_message(seq);
    out.insert(out.end(), d.begin(), d.end());
    return out;
  }};
}

}  // namespace

int main() {
  {
    ScriptedTransport t;
    t.replies = {clean_dump(3)};
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(run_dumps(t, {tcp4()}, out, f), "a clean dump succeeds");
    expect(record_count(out) == 3, "with its 3 records");
    expect(t.last_request.size() == 16 + 56, "the request is nlmsghdr + inet_diag_req_v2");
    expect(t.last_request[16] == 2 && t.last_request[17] == 6 && t.last_request[18] == 2, "family, protocol, ext");
    uint16_t flags;
    std::memcpy(&flags, &t.last_request[6], 2);
    expect(flags == (0x1 | 0x300), "NLM_F_REQUEST | NLM_F_DUMP");
  }
  {
    ScriptedTransport t;
    t.replies = {interrupted_dump(), interrupted_dump(), clean_dump(1)};
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(run_dumps(t, {tcp4()}, out, f), "interrupted twice, then clean: succeeds");
    expect(t.requests == 3, "after 3 requests");
    expect(record_count(out) == 1, "keeping only the clean attempt's records");
  }
  {
    ScriptedTransport t;
    t.replies = {clean_dump(2), interrupted_dump(), clean_dump(1)};
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(run_dumps(t, {tcp4(), tcp4()}, out, f), "a retried second request keeps the first one's records");
    expect(record_count(out) == 3, "2 + 1 records");
  }
  {
    ScriptedTransport t;
    for (int i = 0; i < kMaxDumpAttempts; i++) t.replies.push_back(interrupted_dump());
    t.replies.push_back(clean_dump(1));  // never reached
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(!run_dumps(t, {tcp4()}, out, f), "interrupted on every attempt: fails");
    expect(t.requests == kMaxDumpAttempts, "after exactly kMaxDumpAttempts requests");
    expect(f.error == EINTR && std::string(f.syscall) == "recvmsg", "with EINTR from recvmsg");
    expect(f.message.find("NLM_F_DUMP_INTR") != std::string::npos, "saying why: " + f.message);
  }
  {
    ScriptedTransport t;
    t.replies = {{nullptr, -ENOBUFS}};
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(!run_dumps(t, {tcp4()}, out, f) && f.error == ENOBUFS, "recvmsg ENOBUFS fails");
    expect(std::string(f.syscall) == "recvmsg", "from recvmsg");
    expect(f.message.find("overflowed") != std::string::npos, "saying the queue overflowed: " + f.message);
  }
  {
    ScriptedTransport t;
    t.send_result = -EPERM;
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(!run_dumps(t, {tcp4()}, out, f) && f.error == EPERM && std::string(f.syscall) == "sendmsg",
           "sendmsg EPERM fails as sendmsg");
    expect(f.message.find("seccomp") != std::string::npos, "naming likely causes: " + f.message);
  }
  {
    ScriptedTransport t;
    t.replies = {{[](uint32_t seq) { return error_message(seq, ENOENT); }}};
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(!run_dumps(t, {tcp4()}, out, f) && f.error == ENOENT, "NLMSG_ERROR ENOENT fails");
    expect(f.message.find("modprobe inet_diag tcp_diag udp_diag") != std::string::npos, "saying what to load");
  }
  {
    ScriptedTransport t;
    t.replies = {{[](uint32_t seq) { return join({socket_message(seq), done_message(seq, -ENOBUFS)}); }}};
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(!run_dumps(t, {tcp4()}, out, f) && f.error == ENOBUFS, "NLMSG_DONE with -ENOBUFS fails");
  }
  {
    ScriptedTransport t;
    t.replies = {{[](uint32_t seq) { return join({socket_message(seq + 7), socket_message(seq), done_message(seq)}); }}};
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(run_dumps(t, {tcp4()}, out, f) && record_count(out) == 1, "a stray message of another seq is skipped");
  }
  {
    ScriptedTransport t;
    t.replies = {{[](uint32_t seq) { return socket_message(seq); }, 0, true}};
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(!run_dumps(t, {tcp4()}, out, f) && f.error == EMSGSIZE, "a truncated datagram fails with EMSGSIZE");
  }
  {
    ScriptedTransport t;
    t.replies = {{[](uint32_t) { return std::vector<uint8_t>{}; }}};
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(!run_dumps(t, {tcp4()}, out, f) && f.error == EBADMSG, "an empty datagram fails with EBADMSG");
  }
  {
    ScriptedTransport t;  // no replies: the transport times out
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(!run_dumps(t, {tcp4()}, out, f) && f.error == EAGAIN, "a receive error is passed on");
  }
  {
    ScriptedTransport t;
    DumpRequest big = tcp4();
    big.bytecode.assign(70000, 0);
    ByteBuffer out;
    knetstat::SystemFailure f;
    expect(!run_dumps(t, {big}, out, f) && f.error == EINVAL && t.requests == 0, "oversized bytecode is EINVAL, unsent");
  }
  {
    ScriptedTransport t;
    DumpRequest filtered = tcp4();
    filtered.bytecode = {1, 4, 8, 0, 9};
    t.replies = {clean_dump(0)};
    ByteBuffer out;
    knetstat::SystemFailure f;
    run_dumps(t, {filtered}, out, f);
    uint16_t attr_len, attr_type;
    std::memcpy(&attr_len, &t.last_request[72], 2);
    std::memcpy(&attr_type, &t.last_request[74], 2);
    expect(attr_len == 9 && attr_type == 1 && t.last_request.size() == 72 + 12,
           "bytecode travels as INET_DIAG_REQ_BYTECODE, padded");
  }
  std::printf("%d failed\n", failures);
  return failures == 0 ? 0 : 1;
}

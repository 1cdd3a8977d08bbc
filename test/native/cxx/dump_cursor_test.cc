// The dump cursor (src-native/diag/dump_cursor) over a scripted transport: no I/O
// before the first read, requests in order and one at a time, batches of at least
// min_bytes made of whole datagrams, NLM_F_DUMP_INTR reported and not retried, the
// request bytes of both kinds (diag/encode_request), and every way a dump fails,
// each closing the transport.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "diag/dump_cursor.h"

using knetstat::ByteBuffer;
using knetstat::SystemFailure;
using namespace knetstat::diag;

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("%s - %s\n", ok ? "ok" : "not ok", what.c_str());
  if (!ok) failures++;
}

constexpr uint16_t kSockDiagByFamily = 20;
constexpr uint16_t kTcpDiagGetSock = 18;

void put16(std::vector<uint8_t>& v, size_t at, uint16_t x) { std::memcpy(&v[at], &x, 2); }
void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) { std::memcpy(&v[at], &x, 4); }
uint16_t get16(const std::vector<uint8_t>& v, size_t at) {
  uint16_t x;
  std::memcpy(&x, &v[at], 2);
  return x;
}
uint32_t get32(const std::vector<uint8_t>& v, size_t at) {
  uint32_t x;
  std::memcpy(&x, &v[at], 4);
  return x;
}

std::vector<uint8_t> message(uint16_t type, uint16_t flags, uint32_t seq, size_t payload) {
  std::vector<uint8_t> msg(16 + payload, 0);
  put32(msg, 0, static_cast<uint32_t>(msg.size()));
  put16(msg, 4, type);
  put16(msg, 6, flags);
  put32(msg, 8, seq);
  return msg;
}

// An inet_diag_msg of `family` whose local port (network order) is `port`.
std::vector<uint8_t> socket_message(uint32_t seq, uint16_t port = 1, uint8_t family = 2, uint16_t flags = 2,
                                    uint16_t type = kSockDiagByFamily) {
  auto msg = message(type, flags, seq, 72);
  msg[16] = family;
  msg[17] = 1;  // ESTABLISHED
  msg[20] = static_cast<uint8_t>(port >> 8);
  msg[21] = static_cast<uint8_t>(port);
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

// One datagram, made from the seq of the last request sent; a negative `error` is returned as is.
struct Reply {
  std::function<std::vector<uint8_t>(uint32_t seq)> bytes;
  ssize_t error = 0;
  bool truncated = false;
};

// What the test scripts and observes; shared with the transport the cursor owns.
struct Script {
  std::deque<Reply> replies;
  ssize_t send_result = 0;  // 0: the whole message went out
  std::vector<std::vector<uint8_t>> sent;
  int receives = 0;
  int opens = 0;    // calls of the opener
  int created = 0;  // transports opened
  int closes = 0;   // transports destroyed
  int open_error = 0;  // the opener fails with this errno

  uint32_t last_seq() const { return sent.empty() ? 0 : get32(sent.back(), 8); }
};

class ScriptedTransport final : public DiagTransport {
 public:
  explicit ScriptedTransport(std::shared_ptr<Script> script) : script_(std::move(script)) { script_->created++; }
  ~ScriptedTransport() override { script_->closes++; }

  ssize_t send(const uint8_t* data, size_t size) override {
    script_->sent.emplace_back(data, data + size);
    return script_->send_result ? script_->send_result : static_cast<ssize_t>(size);
  }
  ssize_t receive(uint8_t* data, size_t capacity, bool& truncated) override {
    script_->receives++;
    if (script_->replies.empty()) return -ETIMEDOUT;
    Reply reply = script_->replies.front();
    script_->replies.pop_front();
    truncated = reply.truncated;
    if (reply.error) return reply.error;
    auto bytes = reply.bytes(script_->last_seq());
    if (!bytes.empty()) std::memcpy(data, bytes.data(), std::min(bytes.size(), capacity));
    return static_cast<ssize_t>(bytes.size());
  }

 private:
  std::shared_ptr<Script> script_;
};

TransportOpener opener(const std::shared_ptr<Script>& script) {
  return [script](int& error) -> std::unique_ptr<DiagTransport> {
    script->opens++;
    if (script->open_error) {
      error = script->open_error;
      return nullptr;
    }
    return std::make_unique<ScriptedTransport>(script);
  };
}

DumpRequest request(uint8_t family, uint8_t protocol, uint8_t extensions = 2) {
  DumpRequest r;
  r.family = family;
  r.protocol = protocol;
  r.states = 0xffffffff;
  r.extensions = extensions;
  return r;
}
DumpRequest tcp4() { return request(2, 6); }

// The local ports of the records in `out`, in order (record layout: size at 0, port at 16).
std::vector<uint16_t> ports(const ByteBuffer& out) {
  std::vector<uint16_t> found;
  for (size_t at = 0; at < out.size();) {
    uint32_t size;
    uint16_t port;
    std::memcpy(&size, out.data() + at, 4);
    std::memcpy(&port, out.data() + at + 16, 2);
    found.push_back(port);
    at += size;
  }
  return found;
}

Reply dump_of(std::vector<uint16_t> socket_ports, bool done = true, uint16_t flags = 2) {
  return {[socket_ports, done, flags](uint32_t seq) {
    std::vector<uint8_t> out;
    for (uint16_t port : socket_ports) {
      auto m = socket_message(seq, port, 2, flags);
      out.insert(out.end(), m.begin(), m.end());
    }
    if (done) {
      auto d = done_message(seq);
      out.insert(out.end(), d.begin(), d.end());
    }
    return out;
  }};
}

// A datagram with no record in it: a message of another seq, which is skipped.
Reply stray() {
  return {[](uint32_t seq) { return socket_message(seq + 1); }};
}

struct Run {
  std::shared_ptr<Script> script = std::make_shared<Script>();
  ByteBuffer out;
  SystemFailure failure;
};

// A cursor over `requests` whose transport replies `replies`.
std::unique_ptr<DumpCursor> cursor(Run& run, std::vector<DumpRequest> requests, std::deque<Reply> replies) {
  run.script->replies = std::move(replies);
  return std::make_unique<DumpCursor>(std::move(requests), opener(run.script));
}

// Expects `c` to have failed with `error` from `syscall`, done, its transport closed.
void expect_failed(Run& run, DumpCursor& c, bool ok, int error, const char* syscall, const std::string& what) {
  expect(!ok, what + ": next() fails");
  expect(run.failure.error == error, what + ": errno " + std::to_string(run.failure.error) + ", wanted " + std::to_string(error));
  expect(std::string(run.failure.syscall) == syscall, what + ": from " + syscall + " (" + run.failure.syscall + ")");
  expect(c.done() && !c.open() && run.script->closes == run.script->created, what + ": done, the transport closed");
}

}  // namespace

int main() {
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {dump_of({7, 8, 9})});
    expect(run.script->opens == 0 && !c->open() && !c->done(), "no transport before the first read");
    const bool ok = c->next(1 << 20, run.out, run.failure);
    expect(ok && ports(run.out) == std::vector<uint16_t>({7, 8, 9}), "a dump's records, in order");
    expect(run.script->opens == 1, "the transport opened once, on the first read");
    expect(c->done() && !c->interrupted(), "done after the last request's NLMSG_DONE");
    expect(!c->open() && run.script->closes == 1, "the transport closed when the dump ended, without another read");
    expect(run.script->receives == 1, "one datagram read");
    const auto& sent = run.script->sent.at(0);
    expect(sent.size() == 16 + 56 && get32(sent, 0) == sent.size(), "SOCK_DIAG_BY_FAMILY: nlmsghdr + inet_diag_req_v2");
    expect(get16(sent, 4) == kSockDiagByFamily, "message type SOCK_DIAG_BY_FAMILY");
    expect(get16(sent, 6) == (0x1 | 0x300), "NLM_F_REQUEST | NLM_F_DUMP");
    expect(sent[16] == 2 && sent[17] == 6 && sent[18] == 2 && get32(sent, 20) == 0xffffffff,
           "family, protocol, ext, states at their inet_diag_req_v2 offsets");
    expect(std::all_of(sent.begin() + 24, sent.end(), [](uint8_t b) { return b == 0; }), "the sockid is zero: every socket");
    ByteBuffer more;
    expect(c->next(1, more, run.failure) && more.empty() && run.script->opens == 1, "a done cursor reads nothing, opens nothing");
  }
  {
    Run run;
    auto c = cursor(run, {}, {});
    expect(c->next(1, run.out, run.failure) && run.out.empty() && c->done(), "no requests: done at once");
    expect(run.script->opens == 0, "without opening a transport");
  }
  {
    // Two requests: the second is sent only once the first's dump is over, with the next seq.
    Run run;
    auto c = cursor(run, {tcp4(), request(10, 17, 0)}, {dump_of({1, 2}), dump_of({3}, false), dump_of({4})});
    expect(c->next(1, run.out, run.failure) && ports(run.out) == std::vector<uint16_t>({1, 2}), "first batch: the first dump");
    expect(run.script->sent.size() == 1 && !c->done() && c->open(), "the second request is not sent yet");
    ByteBuffer second;
    expect(c->next(1, second, run.failure) && ports(second) == std::vector<uint16_t>({3}), "second batch: the second dump's first datagram");
    expect(run.script->sent.size() == 2, "the second request went out");
    const auto& udp6 = run.script->sent.at(1);
    expect(udp6[16] == 10 && udp6[17] == 17 && udp6[18] == 0, "as the second request asks: UDP/IPv6, no extensions");
    expect(get32(run.script->sent.at(0), 8) == 1 && get32(udp6, 8) == 2, "each request its own seq");
    expect(!c->done(), "not done before the last NLMSG_DONE");
    ByteBuffer third;
    expect(c->next(1, third, run.failure) && ports(third) == std::vector<uint16_t>({4}) && c->done(), "then the rest, and done");
    expect(run.script->opens == 1 && run.script->closes == 1, "one transport for both requests");
  }
  {
    // min_bytes: whole datagrams until at least that many bytes of records.
    Run run;
    auto c = cursor(run, {tcp4()}, {dump_of({1, 2}, false), stray(), dump_of({3}, false), dump_of({4, 5})});
    expect(c->next(1, run.out, run.failure) && ports(run.out).size() == 2 && run.script->receives == 1,
           "min_bytes 1: the first datagram, both of its records");
    const size_t record = run.out.size() / 2;
    ByteBuffer batch;
    expect(c->next(1, batch, run.failure) && ports(batch) == std::vector<uint16_t>({3}) && run.script->receives == 3,
           "a datagram without records does not end a batch");
    ByteBuffer rest;
    expect(c->next(record * 10, rest, run.failure) && ports(rest) == std::vector<uint16_t>({4, 5}) && c->done(),
           "a batch bigger than what is left ends with the dump");
    Run big;
    auto d = cursor(big, {tcp4()}, {dump_of({1}, false), dump_of({2}, false), dump_of({3}, false), dump_of({4})});
    expect(d->next(record * 2, big.out, big.failure) && ports(big.out) == std::vector<uint16_t>({1, 2}) && big.script->receives == 2,
           "min_bytes of two records: two datagrams of one");
  }
  {
    // NLM_F_DUMP_INTR: reported, the records kept, nothing sent again.
    Run run;
    auto c = cursor(run, {tcp4(), tcp4()}, {dump_of({1}, false), dump_of({2}, true, 2 | 0x10), dump_of({3})});
    expect(c->next(1, run.out, run.failure) && !c->interrupted(), "not interrupted before a flagged message");
    expect(c->next(1 << 20, run.out, run.failure) && c->interrupted(), "a flagged message marks the cursor interrupted");
    expect(ports(run.out) == std::vector<uint16_t>({1, 2, 3}), "its records are kept, the next request's follow");
    expect(run.script->sent.size() == 2 && c->done(), "no request was sent again: the caller decides");
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {{[](uint32_t seq) { return join({socket_message(seq + 7, 1), socket_message(seq, 2), done_message(seq)}); }}});
    expect(c->next(1, run.out, run.failure) && ports(run.out) == std::vector<uint16_t>({2}), "a message of another seq is skipped");
  }
  {
    // Both families of TCP: TCPDIAG_GETSOCK with struct inet_diag_req, replies of that type.
    Run run;
    DumpRequest both = request(0, 6, 0x42);
    both.states = 0x400;
    both.bytecode = {1, 4, 8, 0, 9};
    auto c = cursor(run, {both}, {{[](uint32_t seq) {
      return join({socket_message(seq, 1, 2, 2, kTcpDiagGetSock), socket_message(seq, 2, 10, 2, kTcpDiagGetSock),
                   socket_message(seq, 3, 2, 2, kSockDiagByFamily), done_message(seq)});
    }}});
    expect(c->next(1, run.out, run.failure) && ports(run.out) == std::vector<uint16_t>({1, 2}),
           "family 0: IPv4 and IPv6 records of TCPDIAG_GETSOCK replies, other types skipped");
    const auto& sent = run.script->sent.at(0);
    expect(get16(sent, 4) == kTcpDiagGetSock, "message type TCPDIAG_GETSOCK");
    expect(sent.size() == 16 + 60 + 12 && get32(sent, 0) == sent.size(), "nlmsghdr + inet_diag_req (60) + the bytecode attribute");
    expect(sent[16] == 2 && sent[19] == 0x42 && get32(sent, 16 + 52) == 0x400, "family AF_INET, ext at 3, states at 52");
    expect(get16(sent, 76) == 9 && get16(sent, 78) == 1 && sent[80] == 1 && sent[84] == 9 && sent[85] == 0,
           "the bytecode after the 60-byte request, as INET_DIAG_REQ_BYTECODE, padded");
    Run udp;
    auto u = cursor(udp, {request(0, 17)}, {dump_of({1})});
    expect_failed(udp, *u, u->next(1, udp.out, udp.failure), EINVAL, "sendmsg", "family 0 with UDP");
    expect(udp.script->sent.empty(), "family 0 with UDP: nothing sent");
  }
  {
    Run run;
    DumpRequest filtered = tcp4();
    filtered.bytecode = {1, 4, 8, 0, 9};
    auto c = cursor(run, {filtered}, {dump_of({})});
    c->next(1, run.out, run.failure);
    const auto& sent = run.script->sent.at(0);
    expect(get16(sent, 72) == 9 && get16(sent, 74) == 1 && sent.size() == 72 + 12 && get32(sent, 0) == sent.size(),
           "bytecode travels as INET_DIAG_REQ_BYTECODE after inet_diag_req_v2, padded");
  }
  {
    Run run;
    DumpRequest big = tcp4();
    big.bytecode.assign(65532, 0);
    auto c = cursor(run, {big}, {dump_of({1})});
    expect_failed(run, *c, c->next(1, run.out, run.failure), EINVAL, "sendmsg", "bytecode longer than an attribute holds");
    expect(run.script->sent.empty(), "oversized bytecode: nothing sent");
    expect(run.failure.message.find("bytecode longer") != std::string::npos, "saying why: " + run.failure.message);
    Run fits;
    DumpRequest largest = tcp4();
    largest.bytecode.assign(65531, 0);
    auto d = cursor(fits, {largest}, {dump_of({1})});
    expect(d->next(1, fits.out, fits.failure) && fits.script->sent.size() == 1, "the largest bytecode an attribute holds is sent");
  }
  {
    Run run;
    run.script->open_error = EPROTONOSUPPORT;
    auto c = cursor(run, {tcp4()}, {});
    expect_failed(run, *c, c->next(1, run.out, run.failure), EPROTONOSUPPORT, "socket", "the transport cannot be opened");
    expect(run.failure.message.find("NETLINK_SOCK_DIAG") != std::string::npos, "saying the kernel lacks it: " + run.failure.message);
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {});
    run.script->send_result = -EPERM;
    expect_failed(run, *c, c->next(1, run.out, run.failure), EPERM, "sendmsg", "sendmsg EPERM");
    expect(run.failure.message.find("seccomp") != std::string::npos, "naming likely causes: " + run.failure.message);
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {dump_of({1})});
    run.script->send_result = 10;
    expect_failed(run, *c, c->next(1, run.out, run.failure), EMSGSIZE, "sendmsg", "a request sent in part");
    expect(run.failure.message.find("only in part") != std::string::npos, "saying so: " + run.failure.message);
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {{[](uint32_t seq) { return error_message(seq, ENOENT); }}});
    expect_failed(run, *c, c->next(1, run.out, run.failure), ENOENT, "recvmsg", "NLMSG_ERROR ENOENT");
    expect(run.failure.message.find("modprobe inet_diag tcp_diag udp_diag") != std::string::npos, "saying what to load");
    expect(run.failure.message.find("TCP/IPv4") != std::string::npos, "naming the request: " + run.failure.message);
  }
  {
    // The first request's records came out already; the second one fails.
    Run run;
    auto c = cursor(run, {tcp4(), request(3, 6)}, {dump_of({1}), {[](uint32_t seq) { return error_message(seq, ENOENT); }}});
    expect(c->next(1, run.out, run.failure) && ports(run.out).size() == 1, "the first request's dump");
    ByteBuffer second;
    expect_failed(run, *c, c->next(1, second, run.failure), ENOENT, "recvmsg", "then the second request fails");
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {{[](uint32_t seq) { return join({socket_message(seq), done_message(seq, -ENOBUFS)}); }}});
    expect_failed(run, *c, c->next(1, run.out, run.failure), ENOBUFS, "recvmsg", "NLMSG_DONE with -ENOBUFS");
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {{nullptr, -ENOBUFS}});
    expect_failed(run, *c, c->next(1, run.out, run.failure), ENOBUFS, "recvmsg", "recvmsg ENOBUFS");
    expect(run.failure.message.find("overflowed") != std::string::npos, "saying the queue overflowed: " + run.failure.message);
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {});  // no reply: the receive times out
    expect_failed(run, *c, c->next(1, run.out, run.failure), ETIMEDOUT, "recvmsg", "a receive error is passed on");
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {{[](uint32_t seq) { return socket_message(seq); }, 0, true}});
    expect_failed(run, *c, c->next(1, run.out, run.failure), EMSGSIZE, "recvmsg", "a truncated datagram");
    expect(run.failure.message.find("datagram truncated") != std::string::npos, "saying so: " + run.failure.message);
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {{[](uint32_t) { return std::vector<uint8_t>{}; }}});
    expect_failed(run, *c, c->next(1, run.out, run.failure), EBADMSG, "recvmsg", "an empty datagram");
  }
  {
    Run run;
    auto c = cursor(run, {tcp4()}, {{[](uint32_t seq) { return join({socket_message(seq), std::vector<uint8_t>{1, 2, 3}}); }}});
    expect_failed(run, *c, c->next(1, run.out, run.failure), EBADMSG, "recvmsg", "a malformed datagram");
  }
  {
    Run run;
    auto c = cursor(run, {tcp4(), tcp4()}, {dump_of({1}, false), dump_of({2})});
    expect(c->next(1, run.out, run.failure) && c->open(), "open mid-dump");
    c->close();
    expect(c->done() && !c->open() && run.script->closes == 1, "close() closes the transport and ends the cursor");
    c->close();
    expect(run.script->closes == 1, "close() again does nothing");
    ByteBuffer after;
    expect(c->next(1, after, run.failure) && after.empty() && run.script->opens == 1, "a closed cursor reads nothing, opens nothing");
    Run unread;
    auto d = cursor(unread, {tcp4()}, {});
    d->close();
    expect(d->done() && unread.script->opens == 0, "closing an unread cursor opens nothing");
  }
  {
    Run run;
    {
      auto c = cursor(run, {tcp4()}, {dump_of({1}, false)});
      c->next(1, run.out, run.failure);
    }
    expect(run.script->closes == 1, "a cursor destroyed mid-dump closes its transport");
  }
  std::printf("%d failed\n", failures);
  return failures == 0 ? 0 : 1;
}

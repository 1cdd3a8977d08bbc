// Writes the seed corpus of the reply-parser fuzz target (test/fuzz/parse_reply_fuzz.cc):
//
//   kernel-*.bin  every recvmsg datagram of real NETLINK_SOCK_DIAG dumps, asked the way
//                 the addon asks (src-native/diag/encode_request.cc, src/sources/netlink/requests.ts),
//                 over loopback sockets in various states opened here first;
//   edge-*.bin    hand-made datagrams for the parser's edge cases (parse_reply.h rules).
//
// Build and run (root, for a private network namespace and SO_MARK):
//   g++ -std=c++17 -O1 -Wall -Wextra -o /tmp/make_corpus test/fuzz/make_corpus.cc
//   /tmp/make_corpus test/fuzz/corpus/parse_reply
// Without CAP_SYS_ADMIN it captures in the current namespace (with the host's sockets,
// so check the size of what it wrote); `--edge-only` writes only the hand-made files.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::string out_dir;
int files_written = 0;
size_t bytes_written = 0;

void write_file(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path = out_dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    std::exit(1);
  }
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::fclose(f);
  files_written++;
  bytes_written += bytes.size();
}

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

void check(int rc, const char* what) {
  if (rc < 0) die(what);
}

// ---- sockets to dump -------------------------------------------------------------

void bring_up_loopback() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  check(fd, "socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  check(ioctl(fd, SIOCGIFFLAGS, &ifr), "SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  check(ioctl(fd, SIOCSIFFLAGS, &ifr), "SIOCSIFFLAGS lo");
  close(fd);
}

sockaddr_storage loopback(int family, uint16_t port) {
  sockaddr_storage ss{};
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
  }
  return ss;
}

socklen_t length_of(int family) { return family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6); }

void set_int(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) std::fprintf(stderr, "make_corpus: %s: %s (ignored)\n", what, std::strerror(errno));
}

int tcp_listener(int family, uint16_t port, int v6only) {
  const int fd = socket(family, SOCK_STREAM, 0);
  check(fd, "socket");
  set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
  if (family == AF_INET6 && v6only >= 0) set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only, "IPV6_V6ONLY");
  sockaddr_storage ss = loopback(family, port);
  if (family == AF_INET6 && v6only == 0) reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr = in6addr_any;
  check(bind(fd, reinterpret_cast<sockaddr*>(&ss), length_of(family)), "bind");
  check(listen(fd, 16), "listen");
  return fd;
}

int tcp_connect(int family, uint16_t port) {
  const int fd = socket(family, SOCK_STREAM, 0);
  check(fd, "socket");
  sockaddr_storage ss = loopback(family, port);
  check(connect(fd, reinterpret_cast<sockaddr*>(&ss), length_of(family)), "connect");
  return fd;
}

std::vector<int> keep;  // sockets held open until the dumps are done

void open_sockets() {
  char data[4096];
  std::memset(data, 'k', sizeof data);
  for (const int family : {AF_INET, AF_INET6}) {
    const uint16_t base = family == AF_INET ? 4000 : 6000;
    const int listener = tcp_listener(family, base, 1);
    keep.push_back(listener);

    // Established, with unread data, options the dump reports, and a non-default CC.
    const int a = tcp_connect(family, base);
    const int b = accept(listener, nullptr, nullptr);
    check(b, "accept");
    set_int(a, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
    set_int(a, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
    set_int(a, SOL_SOCKET, SO_MARK, 42, "SO_MARK");
    set_int(a, SOL_SOCKET, SO_PRIORITY, 3, "SO_PRIORITY");
    if (family == AF_INET) set_int(a, IPPROTO_IP, IP_TOS, 0x10, "IP_TOS");
    else set_int(a, IPPROTO_IPV6, IPV6_TCLASS, 0x20, "IPV6_TCLASS");
    if (setsockopt(a, IPPROTO_TCP, TCP_CONGESTION, "reno", 4) < 0) std::fprintf(stderr, "make_corpus: TCP_CONGESTION reno: %s (ignored)\n", std::strerror(errno));
    check(static_cast<int>(write(a, data, 1000)), "write");
    keep.push_back(a);
    keep.push_back(b);

    // A full send queue towards a peer with a small receive buffer that never reads.
    const int c = socket(family, SOCK_STREAM, 0);
    check(c, "socket");
    set_int(c, SOL_SOCKET, SO_RCVBUF, 4096, "SO_RCVBUF");
    sockaddr_storage ss = loopback(family, base);
    check(connect(c, reinterpret_cast<sockaddr*>(&ss), length_of(family)), "connect");
    const int d = accept(listener, nullptr, nullptr);
    check(d, "accept");
    set_int(d, SOL_SOCKET, SO_SNDBUF, 65536, "SO_SNDBUF");
    fcntl(d, F_SETFL, O_NONBLOCK);
    while (write(d, data, sizeof data) > 0) {
    }
    keep.push_back(c);
    keep.push_back(d);

    // Half-closed: FIN_WAIT2 on one side, CLOSE_WAIT on the other.
    const int e = tcp_connect(family, base);
    const int f = accept(listener, nullptr, nullptr);
    check(f, "accept");
    check(shutdown(e, SHUT_WR), "shutdown");
    keep.push_back(e);
    keep.push_back(f);

    // TIME_WAIT: the connecting side closes first.
    const int g = tcp_connect(family, base);
    const int h = accept(listener, nullptr, nullptr);
    check(h, "accept");
    close(g);
    usleep(20000);
    close(h);

    // Left in the accept queue.
    keep.push_back(tcp_connect(family, base));

    // UDP: bound with queued datagrams, and connected.
    const int u = socket(family, SOCK_DGRAM, 0);
    check(u, "socket");
    sockaddr_storage us = loopback(family, static_cast<uint16_t>(base + 1));
    check(bind(u, reinterpret_cast<sockaddr*>(&us), length_of(family)), "bind");
    const int v = socket(family, SOCK_DGRAM, 0);
    check(v, "socket");
    check(connect(v, reinterpret_cast<sockaddr*>(&us), length_of(family)), "connect");
    for (int i = 0; i < 3; i++) check(static_cast<int>(send(v, data, 100, 0)), "send");
    keep.push_back(u);
    keep.push_back(v);
  }
  // A dual-stack listener and an IPv4 client on it: v4-mapped IPv6 sockets.
  const int dual = tcp_listener(AF_INET6, 6100, 0);
  const int client = tcp_connect(AF_INET, 6100);
  const int server = accept(dual, nullptr, nullptr);
  check(server, "accept");
  keep.push_back(dual);
  keep.push_back(client);
  keep.push_back(server);
  usleep(50000);  // let the half-close and TIME_WAIT settle
}

// ---- dumps -------------------------------------------------------------------------

constexpr uint8_t ext_bit(int attr) { return static_cast<uint8_t>(1u << (attr - 1)); }

// The addon's extensions: SKMEMINFO, TOS, TCLASS always; INFO and CONG for TCP.
constexpr uint8_t kAddonUdpExt = ext_bit(INET_DIAG_SKMEMINFO) | ext_bit(INET_DIAG_TOS) | ext_bit(INET_DIAG_TCLASS);
constexpr uint8_t kAddonTcpExt = kAddonUdpExt | ext_bit(INET_DIAG_INFO) | ext_bit(INET_DIAG_CONG);

uint32_t seq = 1000;

// Sends one request and writes every datagram of the reply as <label>-<n>.bin.
void dump(const std::string& label, uint16_t type, const std::vector<uint8_t>& request) {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  check(fd, "socket(NETLINK_SOCK_DIAG)");
  std::vector<uint8_t> message(NLMSG_HDRLEN + request.size());
  nlmsghdr header{};
  header.nlmsg_len = static_cast<uint32_t>(message.size());
  header.nlmsg_type = type;
  header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header.nlmsg_seq = ++seq;
  std::memcpy(message.data(), &header, sizeof header);
  std::memcpy(message.data() + NLMSG_HDRLEN, request.data(), request.size());
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) die("sendto");

  std::vector<uint8_t> buffer(64 * 1024);
  for (int n = 0;; n++) {
    const ssize_t got = recv(fd, buffer.data(), buffer.size(), MSG_TRUNC);
    if (got < 0) die("recv");
    if (static_cast<size_t>(got) > buffer.size()) {
      std::fprintf(stderr, "make_corpus: %s: datagram of %zd bytes truncated\n", label.c_str(), got);
      std::exit(1);
    }
    write_file("kernel-" + label + "-" + std::to_string(n) + ".bin", std::vector<uint8_t>(buffer.begin(), buffer.begin() + got));
    // Stop after the datagram that holds NLMSG_DONE or NLMSG_ERROR.
    bool last = got == 0;
    for (size_t at = 0; at + NLMSG_HDRLEN <= static_cast<size_t>(got);) {
      nlmsghdr h;
      std::memcpy(&h, buffer.data() + at, sizeof h);
      if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) last = true;
      if (h.nlmsg_len < NLMSG_HDRLEN) break;
      at += NLMSG_ALIGN(h.nlmsg_len);
    }
    if (last) break;
  }
  close(fd);
}

// struct inet_diag_req_v2 with every state.
std::vector<uint8_t> request_v2(uint8_t family, uint8_t protocol, uint8_t ext) {
  inet_diag_req_v2 req{};
  req.sdiag_family = family;
  req.sdiag_protocol = protocol;
  req.idiag_ext = ext;
  req.idiag_states = 0xffffffff;
  std::vector<uint8_t> bytes(sizeof req);
  std::memcpy(bytes.data(), &req, sizeof req);
  return bytes;
}

void capture() {
  dump("tcp4", SOCK_DIAG_BY_FAMILY, request_v2(AF_INET, IPPROTO_TCP, kAddonTcpExt));
  dump("tcp6", SOCK_DIAG_BY_FAMILY, request_v2(AF_INET6, IPPROTO_TCP, kAddonTcpExt));
  dump("udp4", SOCK_DIAG_BY_FAMILY, request_v2(AF_INET, IPPROTO_UDP, kAddonUdpExt));
  dump("udp6", SOCK_DIAG_BY_FAMILY, request_v2(AF_INET6, IPPROTO_UDP, kAddonUdpExt));
  // Without tcpInfo, and with every extension bit (MEMINFO and VEGASINFO too).
  dump("tcp4-noinfo", SOCK_DIAG_BY_FAMILY, request_v2(AF_INET, IPPROTO_TCP, kAddonUdpExt));
  dump("tcp6-allext", SOCK_DIAG_BY_FAMILY, request_v2(AF_INET6, IPPROTO_TCP, 0xff));
  // Both families at once: TCPDIAG_GETSOCK with struct inet_diag_req (v1), as dump_cursor.cc.
  {
    inet_diag_req req{};
    req.idiag_family = AF_INET;
    req.idiag_ext = kAddonTcpExt;
    req.idiag_states = 0xffffffff;
    std::vector<uint8_t> bytes(sizeof req);
    std::memcpy(bytes.data(), &req, sizeof req);
    dump("tcp-both", TCPDIAG_GETSOCK, bytes);
  }
  // Refused requests: the kernel's own NLMSG_ERROR datagrams.
  dump("error-family", SOCK_DIAG_BY_FAMILY, request_v2(AF_MAX + 1, IPPROTO_TCP, 0));
  dump("error-protocol", SOCK_DIAG_BY_FAMILY, request_v2(AF_INET, 253, 0));
}

// ---- hand-made edge cases ----------------------------------------------------------

struct Builder {
  std::vector<uint8_t> bytes;

  void u16_at(size_t at, uint16_t v) { std::memcpy(&bytes[at], &v, 2); }
  void u32_at(size_t at, uint32_t v) { std::memcpy(&bytes[at], &v, 4); }

  // Starts a netlink message; returns its offset for finish().
  size_t begin(uint16_t type, uint16_t flags = NLM_F_MULTI, uint32_t msg_seq = 7) {
    const size_t at = bytes.size();
    bytes.resize(at + 16, 0);
    u16_at(at + 4, type);
    u16_at(at + 6, flags);
    u32_at(at + 8, msg_seq);
    u32_at(at + 12, 4242);
    return at;
  }
  // Sets nlmsg_len; pads to 4 unless `pad` is false.
  void finish(size_t at, bool pad = true) {
    u32_at(at, static_cast<uint32_t>(bytes.size() - at));
    if (pad) bytes.resize((bytes.size() + 3) & ~size_t{3}, 0);
  }
  void s32(int32_t v) {
    bytes.resize(bytes.size() + 4);
    std::memcpy(&bytes[bytes.size() - 4], &v, 4);
  }
  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
  // struct inet_diag_msg for 127.0.0.1:port or ::1:port.
  void diag_msg(uint8_t family, uint8_t state = 1, uint16_t sport = 80) {
    inet_diag_msg m{};
    m.idiag_family = family;
    m.idiag_state = state;
    m.id.idiag_sport = htons(sport);
    m.id.idiag_dport = htons(40000);
    if (family == AF_INET6) {
      m.id.idiag_src[3] = htonl(1);
      m.id.idiag_dst[3] = htonl(1);
    } else {
      m.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
      m.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
    }
    m.id.idiag_cookie[0] = 0x1234;
    m.idiag_rqueue = 5;
    m.idiag_wqueue = 6;
    m.idiag_uid = 1000;
    m.idiag_inode = 777;
    raw(&m, sizeof m);
  }
  // An attribute with `len` payload bytes of `fill`; rta_len = 4 + len unless given.
  void attr(uint16_t type, size_t len, uint8_t fill = 0x41, int rta_len = -1, bool pad = true) {
    const size_t at = bytes.size();
    bytes.resize(at + 4 + len, fill);
    u16_at(at, static_cast<uint16_t>(rta_len >= 0 ? rta_len : static_cast<int>(4 + len)));
    u16_at(at + 2, type);
    if (pad) bytes.resize((bytes.size() + 3) & ~size_t{3}, 0);
  }
  void name_attr(uint16_t type, const std::string& s, bool nul = true) {
    const size_t at = bytes.size();
    attr(type, s.size() + (nul ? 1 : 0), 0);
    std::memcpy(&bytes[at + 4], s.data(), s.size());
  }
  // A socket message with the addon's attributes.
  void socket(uint8_t family, uint16_t flags = NLM_F_MULTI, uint16_t type = SOCK_DIAG_BY_FAMILY, uint32_t msg_seq = 7) {
    const size_t at = begin(type, flags, msg_seq);
    diag_msg(family);
    attr(INET_DIAG_SHUTDOWN, 1, 0);
    attr(INET_DIAG_TOS, 1, 0x10);
    if (family == AF_INET6) attr(INET_DIAG_TCLASS, 1, 0x20);
    attr(INET_DIAG_SKMEMINFO, 36, 0);
    attr(INET_DIAG_INFO, 232, 0x01);
    name_attr(INET_DIAG_CONG, "cubic");
    attr(22 /* INET_DIAG_SOCKOPT */, 2, 0x03);
    finish(at);
  }
  void done(int32_t code = 0, bool with_code = true, uint16_t flags = NLM_F_MULTI) {
    const size_t at = begin(NLMSG_DONE, flags);
    if (with_code) s32(code);
    finish(at);
  }
  void error(int32_t code, bool with_request = true) {
    const size_t at = begin(NLMSG_ERROR, 0);
    s32(code);
    if (with_request) {  // the request's header, as the kernel echoes it
      nlmsghdr h{};
      h.nlmsg_len = 72;
      h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
      h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
      h.nlmsg_seq = 7;
      raw(&h, sizeof h);
    }
    finish(at);
  }
};

void edge(const std::string& name, void (*build)(Builder&)) {
  Builder b;
  build(b);
  write_file("edge-" + name + ".bin", b.bytes);
}

void edge_cases() {
  // NLMSG_ERROR: each sign of the code, the errno bounds, and a truncated payload.
  edge("error-eperm", [](Builder& b) { b.error(-EPERM); });
  edge("error-einval-after-record", [](Builder& b) { b.socket(AF_INET); b.error(-EINVAL); });
  edge("error-max-errno", [](Builder& b) { b.error(-4095); });
  edge("error-below-max-errno", [](Builder& b) { b.error(-4096); });
  edge("error-int-min", [](Builder& b) { b.error(INT32_MIN); });
  edge("error-positive", [](Builder& b) { b.error(EPERM); });
  edge("error-zero-ack-then-done", [](Builder& b) { b.error(0); b.done(); });
  edge("error-code-only", [](Builder& b) { b.error(-ENOENT, false); });
  edge("error-truncated-code", [](Builder& b) { const size_t at = b.begin(NLMSG_ERROR, 0); b.raw("\xff\xff", 2); b.finish(at); });
  // NLMSG_DONE with and without its status, with an error, out of range, positive.
  edge("done-code-zero", [](Builder& b) { b.done(0); });
  edge("done-without-code", [](Builder& b) { b.done(0, false); });
  edge("done-two-byte-payload", [](Builder& b) { const size_t at = b.begin(NLMSG_DONE); b.raw("\0\0", 2); b.finish(at, false); });
  edge("done-enobufs", [](Builder& b) { b.socket(AF_INET); b.done(-ENOBUFS); });
  edge("done-below-max-errno", [](Builder& b) { b.done(-4096); });
  edge("done-positive", [](Builder& b) { b.done(5); });
  edge("done-then-garbage", [](Builder& b) { b.done(); b.raw("\x01\x02\x03", 3); });
  edge("done-dump-intr", [](Builder& b) { b.done(0, true, NLM_F_MULTI | NLM_F_DUMP_INTR); });
  // Framing: truncated headers, lengths below the header or past the datagram.
  edge("empty", [](Builder&) {});
  edge("header-truncated-1", [](Builder& b) { b.raw("\x10", 1); });
  edge("header-truncated-15", [](Builder& b) { b.done(); b.bytes.resize(15); });
  edge("header-truncated-after-record", [](Builder& b) { b.socket(AF_INET); b.raw("\x14\0\0\0\x03\0\x02\0", 8); });
  edge("nlmsg-len-zero", [](Builder& b) { b.done(); b.u32_at(0, 0); });
  edge("nlmsg-len-15", [](Builder& b) { b.done(); b.u32_at(0, 15); });
  edge("nlmsg-len-past-datagram", [](Builder& b) { b.socket(AF_INET); b.u32_at(0, static_cast<uint32_t>(b.bytes.size() + 4)); });
  edge("nlmsg-len-max", [](Builder& b) { b.socket(AF_INET6); b.u32_at(0, 0xffffffff); });
  edge("last-message-unpadded", [](Builder& b) {
    const size_t at = b.begin(SOCK_DIAG_BY_FAMILY);
    b.diag_msg(AF_INET);
    b.attr(INET_DIAG_SHUTDOWN, 1, 3, -1, false);
    b.finish(at, false);
  });
  // Records: both families, flags, types, sequence numbers.
  edge("records-v4-v6-done", [](Builder& b) { b.socket(AF_INET); b.socket(AF_INET6); b.done(); });
  edge("record-dump-intr", [](Builder& b) { b.socket(AF_INET, NLM_F_MULTI | NLM_F_DUMP_INTR); b.done(); });
  edge("record-other-seq", [](Builder& b) { b.socket(AF_INET, NLM_F_MULTI, SOCK_DIAG_BY_FAMILY, 8); b.socket(AF_INET); b.done(); });
  edge("record-tcpdiag-getsock", [](Builder& b) { b.socket(AF_INET, NLM_F_MULTI, TCPDIAG_GETSOCK); b.socket(AF_INET6, NLM_F_MULTI, TCPDIAG_GETSOCK); b.done(); });
  edge("record-family-unix", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_UNIX); b.finish(at); b.done(); });
  edge("record-msg-truncated", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.bytes.pop_back(); b.finish(at, false); });
  edge("noop-overrun-unknown", [](Builder& b) {
    b.finish(b.begin(NLMSG_NOOP));
    b.finish(b.begin(NLMSG_OVERRUN));
    const size_t at = b.begin(0x7777);
    b.raw("zz", 2);
    b.finish(at);
    b.socket(AF_INET);
  });
  // Attributes: zero-length ones of each known type, bad rta_len, oversize payloads.
  // MEMINFO, INFO, CONG, TOS, TCLASS, SKMEMINFO, SHUTDOWN, SKV6ONLY, MARK, CLASS_ID, CGROUP_ID, SOCKOPT.
  for (const int type : {1, 2, 4, 5, 6, 7, 8, 11, 15, 17, 21, 22}) {
    static uint16_t current;
    current = static_cast<uint16_t>(type);
    edge("attr-zero-length-" + std::to_string(type), [](Builder& b) {
      const size_t at = b.begin(SOCK_DIAG_BY_FAMILY);
      b.diag_msg(AF_INET6);
      b.attr(current, 0);
      b.finish(at);
      b.done();
    });
  }
  edge("attr-rta-len-3", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(INET_DIAG_TOS, 4, 0, 3); b.finish(at); });
  edge("attr-rta-len-past-message", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(INET_DIAG_INFO, 8, 0, 200); b.finish(at); b.done(); });
  edge("attr-header-truncated", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.raw("\x08\0", 2); b.finish(at, false); });
  edge("attr-unpadded-last", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(INET_DIAG_TOS, 4, 0); b.attr(INET_DIAG_SHUTDOWN, 1, 1, -1, false); b.finish(at, false); });
  edge("attr-nested-flags", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(0x8000 | INET_DIAG_TOS, 1, 7); b.attr(0x4000 | INET_DIAG_SHUTDOWN, 1, 2); b.finish(at); });
  edge("attr-unknown-type", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(99, 10); b.attr(INET_DIAG_TOS, 1, 7); b.finish(at); });
  edge("attr-cong-unterminated", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.name_attr(INET_DIAG_CONG, "bbr", false); b.finish(at); });
  edge("attr-cong-300-bytes", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(INET_DIAG_CONG, 300, 'c'); b.finish(at); });
  edge("attr-skmeminfo-12-entries", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(INET_DIAG_SKMEMINFO, 48, 0x11); b.finish(at); });
  edge("attr-skmeminfo-odd-length", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(INET_DIAG_SKMEMINFO, 7, 0x11); b.finish(at); });
  edge("attr-info-max-length", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(INET_DIAG_INFO, 0xffff - 4, 0x22); b.finish(at); b.done(); });
  edge("attr-repeated", [](Builder& b) { const size_t at = b.begin(SOCK_DIAG_BY_FAMILY); b.diag_msg(AF_INET); b.attr(INET_DIAG_INFO, 8, 1); b.attr(INET_DIAG_INFO, 16, 2); b.name_attr(INET_DIAG_CONG, "reno"); b.name_attr(INET_DIAG_CONG, "cubic"); b.finish(at); });
}

}  // namespace

int main(int argc, char** argv) {
  bool edge_only = false;
  int arg = 1;
  if (arg < argc && std::strcmp(argv[arg], "--edge-only") == 0) {
    edge_only = true;
    arg++;
  }
  if (arg + 1 != argc) {
    std::fprintf(stderr, "usage: make_corpus [--edge-only] <output dir>\n");
    return 2;
  }
  out_dir = argv[arg];
  if (!edge_only) {
    if (unshare(CLONE_NEWNET) == 0) {
      bring_up_loopback();
      std::printf("make_corpus: capturing in a private network namespace\n");
    } else {
      std::fprintf(stderr, "make_corpus: unshare(CLONE_NEWNET): %s; capturing in the current namespace (the host's sockets too)\n", std::strerror(errno));
    }
    open_sockets();
    capture();
    for (const int fd : keep) close(fd);
  }
  edge_cases();
  std::printf("make_corpus: wrote %d files, %zu bytes, to %s\n", files_written, bytes_written, out_dir.c_str());
  return 0;
}

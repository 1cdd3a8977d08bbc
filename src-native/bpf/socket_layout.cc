#include "bpf/socket_layout.h"

#include <algorithm>
#include <cstring>
#include <vector>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "bitfield reads assume a little-endian kernel");

namespace knetstat::bpf {

namespace {

// Every full socket starts with struct sock_common, then the rest of struct sock,
// struct inet_sock, struct inet_connection_sock and struct tcp_sock (or struct
// udp_sock), each the first member of the next: offsets in any of them are
// offsets from the socket's address (checked in resolve_layout).
struct FieldSpec {
  Field field;
  const char* type;
  const char* path;
  bool tcp_only;
  bool optional;
};

constexpr FieldSpec kDirect[] = {
    {Field::kCookie, "sock_common", "skc_cookie", false, false},
    {Field::kFamily, "sock_common", "skc_family", false, false},
    {Field::kState, "sock_common", "skc_state", false, false},
    {Field::kReuse, "sock_common", "skc_reuse", false, false},
    {Field::kReusePort, "sock_common", "skc_reuseport", false, false},
    {Field::kV6Only, "sock_common", "skc_ipv6only", false, false},
    {Field::kBoundDevIf, "sock_common", "skc_bound_dev_if", false, false},
    {Field::kFlags, "sock_common", "skc_flags", false, false},
    {Field::kUserLocks, "sock", "sk_userlocks", false, false},
    {Field::kRcvBuf, "sock", "sk_rcvbuf", false, false},
    {Field::kSndBuf, "sock", "sk_sndbuf", false, false},
    {Field::kRcvTimeo, "sock", "sk_rcvtimeo", false, false},
    {Field::kSndTimeo, "sock", "sk_sndtimeo", false, false},
    {Field::kLingerTime, "sock", "sk_lingertime", false, false},
    {Field::kMark, "sock", "sk_mark", false, false},
    {Field::kPriority, "sock", "sk_priority", false, false},
    {Field::kTos, "inet_sock", "tos", false, false},
    {Field::kInetFlags, "inet_sock", "inet_flags", false, true},
    {Field::kFreeBind, "inet_sock", "freebind", false, true},
    {Field::kTransparent, "inet_sock", "transparent", false, true},
    {Field::kNoNagle, "tcp_sock", "nonagle", true, false},
    {Field::kKeepIdle, "tcp_sock", "keepalive_time", true, false},
    {Field::kKeepIntvl, "tcp_sock", "keepalive_intvl", true, false},
    {Field::kKeepCnt, "tcp_sock", "keepalive_probes", true, false},
    {Field::kUserTimeout, "inet_connection_sock", "icsk_user_timeout", true, false},
    {Field::kDeferAccept, "inet_connection_sock", "icsk_accept_queue.rskq_defer_accept", true, false},
    {Field::kFastOpenQlen, "inet_connection_sock", "icsk_accept_queue.fastopenq.max_qlen", true, false},
    {Field::kNotSentLowat, "tcp_sock", "notsent_lowat", true, false},
    {Field::kUserMss, "tcp_sock", "rx_opt.user_mss", true, false},
};

// The chain of first members that makes a field's offset an offset from the socket.
constexpr const char* kEmbedding[][2] = {
    {"sock", "__sk_common"},
    {"inet_sock", "sk"},
    {"inet_connection_sock", "icsk_inet"},
    {"tcp_sock", "inet_conn"},
};

// Spans are merged while the span stays this short: fewer helper calls, few bytes copied.
constexpr uint32_t kMaxSpanBytes = 96;
constexpr uint32_t kMaxGapBytes = 32;

struct Wanted {
  Field field;
  uint32_t byte, bytes;  // the bytes holding the field
  uint8_t shift, width;
};

}  // namespace

std::optional<SocketLayout> resolve_layout(const Btf& btf, bool tcp, std::string& why) {
  for (auto& [type, first] : kEmbedding) {
    auto f = btf.field(type, first);
    if (!f || f->bit_offset != 0) {
      why = std::string("struct ") + type + " does not start with " + first;
      return std::nullopt;
    }
  }
  SocketLayout layout;
  std::vector<Wanted> wanted;
  for (const FieldSpec& spec : kDirect) {
    if (spec.tcp_only && !tcp) continue;
    auto bits = btf.field(spec.type, spec.path);
    if (!bits) {
      if (spec.optional) continue;
      why = std::string("the kernel has no ") + spec.type + "." + spec.path;
      return std::nullopt;
    }
    Wanted w{spec.field, bits->bit_offset / 8, 0, 0, 0};
    if (bits->bitfield) {
      w.shift = uint8_t(bits->bit_offset % 8);
      w.width = uint8_t(bits->bit_size);
      w.bytes = (w.shift + w.width + 7) / 8;
    } else {
      w.bytes = bits->bit_size / 8;
    }
    if (w.bytes == 0 || w.bytes > 8 || w.width > 32) {
      why = std::string("unexpected size of ") + spec.type + "." + spec.path;
      return std::nullopt;
    }
    wanted.push_back(w);
  }
  bool has_inet_flags = std::any_of(wanted.begin(), wanted.end(), [](const Wanted& w) { return w.field == Field::kInetFlags; });
  bool has_bitfields = std::count_if(wanted.begin(), wanted.end(), [](const Wanted& w) {
                         return w.field == Field::kFreeBind || w.field == Field::kTransparent;
                       }) == 2;
  if (!has_inet_flags && !has_bitfields) {
    why = "the kernel has neither inet_sock.inet_flags nor inet_sock.freebind";
    return std::nullopt;
  }

  // Spans over the wanted bytes, in socket order; the state's span comes first, so
  // the program can skip minisockets after one copy.
  std::sort(wanted.begin(), wanted.end(), [](const Wanted& a, const Wanted& b) { return a.byte < b.byte; });
  std::vector<Span> spans;
  for (const Wanted& w : wanted) {
    if (!spans.empty()) {
      Span& last = spans.back();
      uint32_t end = std::max(last.src + last.len, w.byte + w.bytes);
      if (w.byte <= last.src + last.len + kMaxGapBytes && end - last.src <= kMaxSpanBytes) {
        last.len = end - last.src;
        continue;
      }
    }
    spans.push_back({0, w.bytes, w.byte});
  }
  if (spans.size() > KNS_MAX_SPANS) {
    why = "the fields lie in more spans than the program copies (" + std::to_string(spans.size()) + ")";
    return std::nullopt;
  }
  uint32_t dst = KNS_COOKIE_BYTES;
  for (Span& s : spans) {
    s.dst = dst;
    dst += s.len;
  }
  for (const Wanted& w : wanted) {
    for (const Span& s : spans) {
      if (w.byte >= s.src && w.byte + w.bytes <= s.src + s.len) {
        layout.fields[int(w.field)] = {true, uint16_t(s.dst + w.byte - s.src), uint8_t(w.bytes), w.shift, w.width};
        break;
      }
    }
  }
  // Program order: the span holding the state first.
  const FieldPlace& state = layout.fields[int(Field::kState)];
  auto holds_state = [&](const Span& s) { return state.at >= s.dst && state.at < s.dst + s.len; };
  std::stable_partition(spans.begin(), spans.end(), holds_state);
  std::copy(spans.begin(), spans.end(), layout.spans.begin());
  layout.span_count = uint32_t(spans.size());
  layout.state_at = tcp ? state.at : -1;

  // Fields behind pointers.
  struct DerefSpec {
    Field field;
    const char *ptr_type, *ptr_path;
    uint32_t len;
    bool tcp_only;
  };
  const DerefSpec derefs[] = {
      {Field::kInode, "sock", "sk_socket", 8, false},
      {Field::kTClass, "inet_sock", "pinet6", 1, false},
      {Field::kCongestion, "inet_connection_sock", "icsk_ca_ops", KNS_DEREF_MAX, true},
  };
  std::optional<FieldBits> targets[] = {
      btf.field("socket_alloc", "vfs_inode"),
      btf.field("ipv6_pinfo", "tclass"),
      btf.field("tcp_congestion_ops", "name"),
  };
  auto ino = btf.field("inode", "i_ino");
  if (targets[0] && ino) targets[0]->bit_offset += ino->bit_offset;
  else targets[0].reset();
  for (size_t i = 0; i < std::size(derefs); i++) {
    const DerefSpec& d = derefs[i];
    if (d.tcp_only && !tcp) continue;
    auto ptr = btf.field(d.ptr_type, d.ptr_path);
    if (!ptr || !targets[i]) {
      why = std::string("the kernel has no ") + d.ptr_type + "." + d.ptr_path + " or its target";
      return std::nullopt;
    }
    layout.derefs[i] = {ptr->bit_offset / 8, targets[i]->bit_offset / 8, d.len, dst};
    layout.deref_on[i] = true;
    layout.fields[int(d.field)] = {true, uint16_t(dst), uint8_t(std::min<uint32_t>(d.len, 8)), 0, 0};
    dst += d.len;
  }
  layout.record_len = (dst + 7) & ~7u;
  if (layout.record_len > KNS_RECORD_MAX) {
    why = "a record would take " + std::to_string(layout.record_len) + " bytes";
    return std::nullopt;
  }

  auto bit = [&](const char* name) -> int {
    auto v = btf.enumerator(name);
    return v && *v >= 0 && *v < 64 ? int(*v) : -1;
  };
  layout.keepopen_bit = bit("SOCK_KEEPOPEN");
  layout.linger_bit = bit("SOCK_LINGER");
  layout.broadcast_bit = bit("SOCK_BROADCAST");
  if (layout.keepopen_bit < 0 || layout.linger_bit < 0 || layout.broadcast_bit < 0) {
    why = "the kernel's enum sock_flags lacks SOCK_KEEPOPEN, SOCK_LINGER or SOCK_BROADCAST";
    return std::nullopt;
  }
  if (has_inet_flags) {
    layout.freebind_bit = bit("INET_FLAGS_FREEBIND");
    layout.transparent_bit = bit("INET_FLAGS_TRANSPARENT");
    if (layout.freebind_bit < 0 || layout.transparent_bit < 0) {
      why = "the kernel's inet_flags enum lacks INET_FLAGS_FREEBIND or INET_FLAGS_TRANSPARENT";
      return std::nullopt;
    }
  }
  return layout;
}

uint64_t read_field(const SocketLayout& layout, const uint8_t* record, Field f) {
  const FieldPlace& p = layout.fields[int(f)];
  uint64_t v = 0;
  std::memcpy(&v, record + p.at, p.bytes);
  if (p.width != 0) v = (v >> p.shift) & ((uint64_t(1) << p.width) - 1);
  return v;
}

}  // namespace knetstat::bpf

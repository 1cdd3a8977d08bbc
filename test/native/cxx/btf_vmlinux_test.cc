// The BTF reader and resolve_layout on this host's kernel (/sys/kernel/btf/vmlinux):
// both layouts resolve, and every record they describe is one the socket program
// can fill: fields inside the record, spans apart, within KNS_RECORD_MAX. Prints
// "field <struct> <member> bits_offset=N bitfield_size=N" for direct members, which
// test/native/cxx.test.ts compares with `bpftool btf dump ... format raw`.
//   btf_vmlinux_test [path]    (default /sys/kernel/btf/vmlinux)
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bpf/btf.h"
#include "bpf/socket_layout.h"

using namespace knetstat::bpf;

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("%s - %s\n", ok ? "ok" : "not ok", what.c_str());
  if (!ok) failures++;
}

// Members of the structures the layout reads, as bpftool names them.
constexpr const char* kDirect[][2] = {
    {"sock_common", "skc_family"}, {"sock_common", "skc_state"}, {"sock_common", "skc_reuse"},
    {"sock_common", "skc_bound_dev_if"}, {"sock", "sk_rcvbuf"}, {"sock", "sk_sndbuf"}, {"sock", "sk_priority"},
    {"sock", "sk_socket"}, {"inet_sock", "tos"}, {"inet_sock", "pinet6"},
    {"inet_connection_sock", "icsk_accept_queue"}, {"inet_connection_sock", "icsk_user_timeout"},
    {"request_sock_queue", "rskq_defer_accept"}, {"tcp_sock", "nonagle"}, {"tcp_sock", "keepalive_probes"},
    {"tcp_sock", "notsent_lowat"},
};

// A field of the layout and where Btf::field says it is in the socket.
struct Placed {
  Field field;
  const char* type;
  const char* path;
};
constexpr Placed kPlaced[] = {
    {Field::kFamily, "sock_common", "skc_family"}, {Field::kState, "sock_common", "skc_state"},
    {Field::kReuse, "sock_common", "skc_reuse"}, {Field::kRcvBuf, "sock", "sk_rcvbuf"},
    {Field::kPriority, "sock", "sk_priority"}, {Field::kTos, "inet_sock", "tos"},
    {Field::kNoNagle, "tcp_sock", "nonagle"}, {Field::kKeepCnt, "tcp_sock", "keepalive_probes"},
    {Field::kDeferAccept, "inet_connection_sock", "icsk_accept_queue.rskq_defer_accept"},
};

void check_layout(const Btf& btf, const SocketLayout& l, bool tcp) {
  const char* p = tcp ? "TCP" : "UDP";
  expect(l.record_len > 0 && l.record_len <= KNS_RECORD_MAX && l.record_len % 8 == 0,
         std::string(p) + ": record of " + std::to_string(l.record_len) + " bytes, at most KNS_RECORD_MAX");
  expect(l.span_count >= 1 && l.span_count <= KNS_MAX_SPANS, std::string(p) + ": " + std::to_string(l.span_count) + " spans");
  // Every byte of the record is written by at most one span or deref.
  std::vector<int> owner(l.record_len, -1);
  bool apart = true, inside = true;
  auto take = [&](uint32_t dst, uint32_t len, int who) {
    if (len == 0 || dst > l.record_len || len > l.record_len - dst) {
      inside = false;
      return;
    }
    for (uint32_t i = dst; i < dst + len; i++) {
      if (owner[i] != -1) apart = false;
      owner[i] = who;
    }
  };
  for (uint32_t i = 0; i < l.span_count; i++) take(l.spans[i].dst, l.spans[i].len, int(i));
  for (int i = 0; i < KNS_MAX_DEREFS; i++) {
    if (l.deref_on[i]) take(l.derefs[i].dst, l.derefs[i].len, KNS_MAX_SPANS + i);
  }
  expect(inside, std::string(p) + ": spans and derefs lie within the record");
  expect(apart, std::string(p) + ": spans and derefs do not overlap");
  int present = 0;
  for (int f = 0; f < kFieldCount; f++) {
    const FieldPlace& fp = l.fields[f];
    if (!fp.present) continue;
    present++;
    bool ok = fp.bytes >= 1 && fp.bytes <= 8 && fp.at + fp.bytes <= l.record_len &&
              (fp.width == 0 || fp.shift + fp.width <= 8 * fp.bytes);
    // All of a field's bytes come from one span or deref.
    for (uint32_t i = fp.at; ok && i < uint32_t(fp.at + fp.bytes); i++) ok = owner[i] != -1 && owner[i] == owner[fp.at];
    expect(ok, std::string(p) + ": field " + std::to_string(f) + " lies in the record at " + std::to_string(fp.at) +
                   ", " + std::to_string(fp.bytes) + " bytes");
  }
  expect(present >= (tcp ? 29 : 20), std::string(p) + ": " + std::to_string(present) + " fields present");
  // Fields copied by spans: the span's socket bytes are the field's.
  for (const Placed& pl : kPlaced) {
    if (!tcp && (pl.field == Field::kNoNagle || pl.field == Field::kKeepCnt || pl.field == Field::kDeferAccept)) continue;
    auto bits = btf.field(pl.type, pl.path);
    const FieldPlace& fp = l.fields[int(pl.field)];
    bool ok = bits && fp.present && owner[fp.at] >= 0 && owner[fp.at] < KNS_MAX_SPANS;
    if (ok) {
      const Span& s = l.spans[owner[fp.at]];
      ok = s.src + (fp.at - s.dst) == bits->bit_offset / 8 && (!bits->bitfield || fp.shift == bits->bit_offset % 8);
    }
    expect(ok, std::string(p) + ": " + pl.type + "." + pl.path + " is copied from its offset in the socket");
  }
  const FieldPlace& state = l.fields[int(Field::kState)];
  expect(state.at >= l.spans[0].dst && state.at < l.spans[0].dst + l.spans[0].len, std::string(p) + ": the first span holds the state");
  expect(l.keepopen_bit == 3 && l.linger_bit == 4 && l.broadcast_bit == 6,
         std::string(p) + ": SOCK_KEEPOPEN, SOCK_LINGER, SOCK_BROADCAST are bits 3, 4, 6");
}

}  // namespace

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/sys/kernel/btf/vmlinux";
  std::ifstream file(path, std::ios::binary);
  std::vector<uint8_t> blob((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  expect(blob.size() > 1000, std::string(path) + ": " + std::to_string(blob.size()) + " bytes");
  Btf btf(std::move(blob));
  expect(btf.ok(), "the kernel's BTF parses" + (btf.ok() ? "" : ": " + btf.error()));
  expect(btf.find(Btf::kFunc, "bpf_iter_tcp") && btf.find(Btf::kFunc, "bpf_iter_udp"), "FUNCs bpf_iter_tcp and bpf_iter_udp");
  expect(!btf.find(Btf::kStruct, "no_such_struct_knetstat"), "an absent struct is not found");
  expect(!btf.field("sock", "no_such_member") && !btf.field("sock", "") && !btf.field("sock", "sk_rcvbuf."),
         "absent and malformed paths are not found");
  for (bool tcp : {true, false}) {
    std::string why;
    auto layout = resolve_layout(btf, tcp, why);
    expect(layout.has_value(), std::string(tcp ? "TCP" : "UDP") + " layout resolves" + (layout ? "" : ": " + why));
    if (layout) check_layout(btf, *layout, tcp);
  }
  for (auto& [type, member] : kDirect) {
    auto bits = btf.field(type, member);
    expect(bits.has_value(), std::string(type) + "." + member + " found");
    if (bits) std::printf("field %s %s bits_offset=%u bitfield_size=%u\n", type, member, bits->bit_offset, bits->bitfield ? bits->bit_size : 0);
  }
  std::printf("%d failed\n", failures);
  return failures == 0 ? 0 : 1;
}

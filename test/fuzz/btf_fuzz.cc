// libFuzzer target for the BTF reader and the socket layout resolved from it:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc-native
//     test/fuzz/btf_fuzz.cc src-native/bpf/btf.cc src-native/bpf/socket_layout.cc -o btf_fuzz
// test/fuzz/run.sh builds and runs it over test/fuzz/corpus/btf/ (blobs written by
// test/fuzz/make_btf_corpus.cc); test/native/fuzz.test.ts replays the corpus and the
// regressions under g++'s sanitizers.
//
// The input is a raw BTF blob, as /sys/kernel/btf/vmlinux holds one. It is looked up
// the way the bpf source does (socket_reader.cc, socket_layout.cc), and a layout that
// resolves must be one the socket program can run: spans and fields inside a record
// of at most KNS_RECORD_MAX bytes, every field it needs present.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "bpf/btf.h"
#include "bpf/socket_layout.h"

namespace {

namespace bpf = knetstat::bpf;
using bpf::Field;

void check(bool ok) {
  if (!ok) std::abort();
}

// socket_layout.cc's lookups, and paths it never asks for.
constexpr const char* kPaths[][2] = {
    {"sock_common", "skc_cookie"}, {"sock_common", "skc_family"}, {"sock_common", "skc_reuse"},
    {"sock_common", "skc_flags"}, {"sock", "__sk_common"}, {"sock", "sk_rcvbuf"}, {"sock", "sk_userlocks"},
    {"inet_sock", "sk"}, {"inet_sock", "inet_flags"}, {"inet_sock", "freebind"},
    {"inet_connection_sock", "icsk_accept_queue.fastopenq.max_qlen"}, {"tcp_sock", "nonagle"},
    {"tcp_sock", "rx_opt.user_mss"}, {"socket_alloc", "vfs_inode"}, {"inode", "i_ino"},
    {"tcp_congestion_ops", "name"}, {"tcp_sock", "inet_conn.icsk_inet.sk.__sk_common.skc_state"},
    {"sock", ""}, {"sock", "."}, {"sock", "sk_rcvbuf."}, {"sock", "a.b.c.d.e.f.g.h.i.j"}, {"", ""},
};

constexpr Field kNeeded[] = {
    Field::kCookie, Field::kFamily, Field::kState, Field::kReuse, Field::kReusePort, Field::kV6Only,
    Field::kBoundDevIf, Field::kFlags, Field::kUserLocks, Field::kRcvBuf, Field::kSndBuf, Field::kRcvTimeo,
    Field::kSndTimeo, Field::kLingerTime, Field::kMark, Field::kPriority, Field::kTos, Field::kInode, Field::kTClass,
};
constexpr Field kNeededByTcp[] = {
    Field::kNoNagle, Field::kKeepIdle, Field::kKeepIntvl, Field::kKeepCnt, Field::kUserTimeout,
    Field::kDeferAccept, Field::kFastOpenQlen, Field::kNotSentLowat, Field::kUserMss, Field::kCongestion,
};

void check_layout(const bpf::SocketLayout& l, bool tcp) {
  check(l.record_len % 8 == 0 && l.record_len <= KNS_RECORD_MAX);
  check(l.span_count >= 1 && l.span_count <= KNS_MAX_SPANS);
  // Spans fill the record from 0, one after the other, in any order.
  std::vector<bool> used(l.record_len, false);
  auto take = [&](uint32_t dst, uint32_t len) {
    check(len > 0 && dst <= l.record_len && len <= l.record_len - dst);
    for (uint32_t i = dst; i < dst + len; i++) {
      check(!used[i]);
      used[i] = true;
    }
  };
  for (uint32_t i = 0; i < l.span_count; i++) {
    check(uint64_t(l.spans[i].src) + l.spans[i].len <= UINT32_MAX);
    take(l.spans[i].dst, l.spans[i].len);
  }
  for (int i = 0; i < KNS_MAX_DEREFS; i++) {
    if (l.deref_on[i]) take(l.derefs[i].dst, l.derefs[i].len);
  }
  for (int f = 0; f < bpf::kFieldCount; f++) {
    const bpf::FieldPlace& p = l.fields[f];
    if (!p.present) continue;
    check(p.bytes >= 1 && p.bytes <= 8 && p.at + p.bytes <= l.record_len);
    check(p.width <= 32 && (p.width == 0 || p.shift + p.width <= 8 * p.bytes));
    for (uint32_t i = p.at; i < uint32_t(p.at + p.bytes); i++) check(used[i]);
  }
  for (Field f : kNeeded) check(l.fields[int(f)].present);
  for (Field f : kNeededByTcp) check(l.fields[int(f)].present == tcp);
  bool inet_flags = l.fields[int(Field::kInetFlags)].present;
  check(inet_flags || (l.fields[int(Field::kFreeBind)].present && l.fields[int(Field::kTransparent)].present));
  // The program skips minisockets after the first span: the state is in it.
  const bpf::FieldPlace& state = l.fields[int(Field::kState)];
  check(state.at >= l.spans[0].dst && state.at < l.spans[0].dst + l.spans[0].len);
  check(tcp ? l.state_at == state.at : l.state_at == -1);
  for (int bit : {l.keepopen_bit, l.linger_bit, l.broadcast_bit}) check(bit >= 0 && bit < 64);
  if (inet_flags) check(l.freebind_bit >= 0 && l.freebind_bit < 64 && l.transparent_bit >= 0 && l.transparent_bit < 64);
  // Every field reads from an exact-size record.
  std::vector<uint8_t> record(l.record_len, 0xa5);
  for (int f = 0; f < bpf::kFieldCount; f++) {
    if (l.fields[f].present) bpf::read_field(l, record.data(), Field(f));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bpf::Btf btf(std::vector<uint8_t>(data, data + size));
  check(btf.ok() == btf.error().empty());
  for (uint32_t kind = 0; kind < 32; kind++) btf.find(kind, "sock");
  auto iter = btf.find(bpf::Btf::kFunc, "bpf_iter_tcp");
  if (!btf.ok()) check(!iter);
  for (auto& [type, path] : kPaths) {
    auto bits = btf.field(type, path);
    if (!btf.ok()) check(!bits);
    if (bits && bits->bitfield) check(bits->bit_size >= 1 && bits->bit_size <= 255);
  }
  for (const char* name : {"SOCK_KEEPOPEN", "INET_FLAGS_TRANSPARENT", ""}) btf.enumerator(name);
  for (bool tcp : {true, false}) {
    std::string why;
    auto layout = bpf::resolve_layout(btf, tcp, why);
    if (layout) check_layout(*layout, tcp);
    else check(!why.empty());
  }
  return 0;
}

// Writes the seed corpus of the BTF fuzz target (test/fuzz/btf_fuzz.cc): small
// BTF blobs shaped like the kernel's, built here rather than cut from
// /sys/kernel/btf/vmlinux (5 MB, and the host's own):
//
//   sockets-inet-flags.bin   the socket structures as Linux 6.6+ has them; both
//                            layouts resolve (resolve_layout, TCP and UDP)
//   sockets-bitfields.bin    the same before 6.6: freebind/transparent bitfields
//   sockets-no-iter.bin      no bpf_iter_tcp/udp, no enum sock_flags
//   kinds.bin                one type of every kind the reader knows
//   header-only.bin          a header and an empty string section
//
// With --regressions, the hand-made inputs of test/fuzz/regressions/btf/ instead: each
// crashed, hung or misled the reader once (the comments below say how).
//
// Build and run:
//   g++ -std=c++17 -O1 -Wall -Wextra -o /tmp/make_btf_corpus test/fuzz/make_btf_corpus.cc
//   /tmp/make_btf_corpus test/fuzz/corpus/btf
//   /tmp/make_btf_corpus --regressions test/fuzz/regressions/btf
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// BTF kinds (include/uapi/linux/btf.h).
enum : uint32_t {
  kInt = 1, kPtr, kArray, kStruct, kUnion, kEnum, kFwd, kTypedef, kVolatile, kConst,
  kRestrict, kFunc, kFuncProto, kVar, kDatasec, kFloat, kDeclTag, kTypeTag, kEnum64,
};

struct Member {
  const char* name;  // "" for an anonymous member
  uint32_t type;
  uint32_t bit_offset;
  uint32_t bitfield = 0;  // width of a bitfield, else 0
};

// Type ids are given in order from 1; reserve() and define() allow references forward.
class Builder {
 public:
  uint32_t str(const std::string& s) {
    if (s.empty()) return 0;
    uint32_t off = uint32_t(strings_.size());
    strings_.insert(strings_.end(), s.begin(), s.end());
    strings_.push_back(0);
    return off;
  }
  uint32_t reserve() {
    types_.emplace_back();
    return uint32_t(types_.size());
  }
  uint32_t add(std::vector<uint32_t> words) {
    types_.push_back(std::move(words));
    return uint32_t(types_.size());
  }
  void define(uint32_t id, std::vector<uint32_t> words) { types_[id - 1] = std::move(words); }

  static uint32_t info(uint32_t kind, uint32_t vlen, bool kind_flag = false) {
    return (kind_flag ? 1u << 31 : 0) | kind << 24 | vlen;
  }
  uint32_t integer(const char* name, uint32_t bytes, bool is_signed = false) {
    return add({str(name), info(kInt, 0), bytes, (is_signed ? 1u << 24 : 0) | bytes * 8});
  }
  uint32_t ref(uint32_t kind, const char* name, uint32_t to) { return add({str(name), info(kind, 0), to}); }
  uint32_t ptr(uint32_t to) { return ref(kPtr, "", to); }
  uint32_t array(uint32_t elem, uint32_t index, uint32_t n) { return add({0, info(kArray, 0), 0, elem, index, n}); }
  std::vector<uint32_t> composite(uint32_t kind, const char* name, uint32_t size, const std::vector<Member>& members) {
    bool kind_flag = false;
    for (const Member& m : members) kind_flag |= m.bitfield != 0;
    std::vector<uint32_t> w{str(name), info(kind, uint32_t(members.size()), kind_flag), size};
    for (const Member& m : members) {
      w.push_back(str(m.name));
      w.push_back(m.type);
      w.push_back(kind_flag ? m.bitfield << 24 | m.bit_offset : m.bit_offset);
    }
    return w;
  }
  uint32_t structure(const char* name, uint32_t size, const std::vector<Member>& members) {
    return add(composite(kStruct, name, size, members));
  }
  uint32_t onion(const char* name, uint32_t size, const std::vector<Member>& members) {
    return add(composite(kUnion, name, size, members));
  }
  uint32_t enumeration(const char* name, const std::vector<std::pair<const char*, int32_t>>& values) {
    std::vector<uint32_t> w{str(name), info(kEnum, uint32_t(values.size())), 4};
    for (auto& [n, v] : values) {
      w.push_back(str(n));
      w.push_back(uint32_t(v));
    }
    return add(w);
  }
  uint32_t enumeration64(const char* name, const std::vector<std::pair<const char*, uint64_t>>& values) {
    std::vector<uint32_t> w{str(name), info(kEnum64, uint32_t(values.size())), 8};
    for (auto& [n, v] : values) {
      w.push_back(str(n));
      w.push_back(uint32_t(v));
      w.push_back(uint32_t(v >> 32));
    }
    return add(w);
  }
  uint32_t function(const char* name, uint32_t ret, uint32_t arg_type) {
    uint32_t proto = add({0, info(kFuncProto, 1), ret, str("ctx"), arg_type});
    return add({str(name), info(kFunc, 1), proto});  // vlen 1: global linkage
  }

  std::vector<uint8_t> blob() const {
    std::vector<uint8_t> types;
    for (const auto& w : types_) {
      size_t at = types.size();
      types.resize(at + 4 * w.size());
      if (!w.empty()) std::memcpy(&types[at], w.data(), 4 * w.size());
    }
    uint32_t header[6] = {0x0001eB9F, 24, 0, uint32_t(types.size()), uint32_t(types.size()), uint32_t(strings_.size())};
    std::vector<uint8_t> out(sizeof header);
    std::memcpy(out.data(), header, sizeof header);
    out.insert(out.end(), types.begin(), types.end());
    out.insert(out.end(), strings_.begin(), strings_.end());
    return out;
  }

 private:
  std::vector<std::vector<uint32_t>> types_;
  std::vector<uint8_t> strings_{0};  // offset 0 is the empty name
};

struct Options {
  bool inet_flags = true;  // 6.6+: inet_sock.inet_flags, else freebind/transparent bitfields
  bool iterators = true;   // FUNCs bpf_iter_tcp/udp and enum sock_flags
};

// The socket structures socket_layout.cc reads, at small made-up offsets, with the
// shapes the kernel gives them: typedef chains, qualifiers, anonymous unions and
// structs, bitfields, nested structs, pointers to structures defined later.
std::vector<uint8_t> sockets(const Options& o) {
  Builder b;
  uint32_t uchar = b.integer("unsigned char", 1);
  uint32_t ushort = b.integer("short unsigned int", 2);
  uint32_t uint = b.integer("unsigned int", 4);
  uint32_t sint = b.integer("int", 4, true);
  uint32_t slong = b.integer("long int", 8, true);
  uint32_t ulong = b.integer("long unsigned int", 8);
  uint32_t ulonglong = b.integer("long long unsigned int", 8);
  uint32_t schar = b.integer("char", 1, true);
  // typedef __u8 u8, typedef unsigned char __u8; u32 and u16 likewise.
  uint32_t u8 = b.ref(kTypedef, "u8", b.ref(kTypedef, "__u8", uchar));
  uint32_t u16 = b.ref(kTypedef, "u16", b.ref(kTypedef, "__u16", ushort));
  uint32_t u32 = b.ref(kTypedef, "u32", b.ref(kTypedef, "__u32", uint));
  uint32_t u64 = b.ref(kTypedef, "u64", b.ref(kTypedef, "__u64", ulonglong));
  uint32_t be32 = b.ref(kTypedef, "__be32", u32);
  uint32_t sa_family = b.ref(kTypedef, "sa_family_t", ushort);
  uint32_t atomic64 = b.structure("atomic64_t_s", 8, {{"counter", b.ref(kTypedef, "s64", slong), 0}});
  uint32_t atomic64_t = b.ref(kTypedef, "atomic64_t", atomic64);
  uint32_t vol_uchar = b.ref(kVolatile, "", uchar);

  uint32_t socket = b.reserve(), sock = b.reserve(), ops = b.reserve(), pinfo = b.reserve();
  uint32_t sock_ptr = b.ptr(sock);

  // struct sock_common: 32 bytes.
  uint32_t addrs = b.structure("", 8, {{"skc_daddr", be32, 0}, {"skc_rcv_saddr", be32, 32}});
  uint32_t addrpair = b.onion("", 8, {{"skc_addrpair", u64, 0}, {"", addrs, 0}});
  uint32_t flags_union = b.onion("", 8, {{"skc_flags", ulong, 0}, {"skc_listener", sock_ptr, 0}});
  uint32_t sock_common = b.structure("sock_common", 40,
                                     {{"", addrpair, 0},
                                      {"skc_family", sa_family, 64},
                                      {"skc_state", vol_uchar, 80},
                                      {"skc_reuse", uchar, 88, 4},
                                      {"skc_reuseport", uchar, 92, 1},
                                      {"skc_ipv6only", uchar, 93, 1},
                                      {"skc_bound_dev_if", sint, 96},
                                      {"skc_cookie", atomic64_t, 128},
                                      {"", flags_union, 192},
                                      {"skc_tx_queue_mapping", ushort, 256}});

  // struct sock: 96 bytes from its sock_common.
  uint32_t sk_lock = b.structure("socket_lock_t_s", 8, {{"owned", sint, 0}, {"slock", sint, 32}});
  b.define(sock, b.composite(kStruct, "sock", 136,
                             {{"__sk_common", sock_common, 0},
                              {"sk_lock", b.ref(kTypedef, "socket_lock_t", sk_lock), 320},
                              {"sk_rcvbuf", sint, 384},
                              {"sk_sndbuf", sint, 416},
                              {"sk_rcvtimeo", slong, 448},
                              {"sk_sndtimeo", slong, 512},
                              {"sk_lingertime", ulong, 576},
                              {"sk_gso_disabled", u8, 640, 1},
                              {"sk_kern_sock", u8, 641, 1},
                              {"sk_no_check_tx", u8, 642, 1},
                              {"sk_userlocks", u8, 648},
                              {"sk_mark", u32, 672},
                              {"sk_priority", b.ref(kConst, "", u32), 704},
                              {"sk_socket", b.ptr(socket), 768},
                              {"sk_user_data", b.ptr(0), 832},
                              {"sk_protocol", u16, 896}}));

  // struct inet_sock.
  std::vector<Member> inet = {{"sk", sock, 0},
                              {"pinet6", b.ptr(pinfo), 1088},
                              {"inet_saddr", be32, 1152},
                              {"tos", u8, 1184},
                              {"min_ttl", u8, 1192}};
  if (o.inet_flags) {
    inet.push_back({"inet_flags", ulong, 1216});
  } else {
    inet.push_back({"recverr", u8, 1216, 1});
    inet.push_back({"is_icsk", u8, 1217, 1});
    inet.push_back({"freebind", u8, 1218, 1});
    inet.push_back({"hdrincl", u8, 1219, 1});
    inet.push_back({"mc_loop", u8, 1220, 1});
    inet.push_back({"transparent", u8, 1221, 1});
  }
  uint32_t inet_sock = b.structure("inet_sock", 160, inet);
  uint32_t udp_sock = b.structure("udp_sock", 176, {{"inet", inet_sock, 0}, {"corkflag", sint, 1280}});

  // struct inet_connection_sock: the accept queue nests two structures.
  uint32_t fastopen = b.structure("fastopen_queue", 16, {{"qlen", sint, 0}, {"max_qlen", sint, 32}, {"rskq_rst_head", b.ptr(0), 64}});
  uint32_t accept_queue = b.structure("request_sock_queue", 24,
                                      {{"rskq_defer_accept", u8, 0}, {"synflood_warned", u32, 32}, {"fastopenq", fastopen, 64}});
  uint32_t icsk = b.structure("inet_connection_sock", 216,
                              {{"icsk_inet", inet_sock, 0},
                               {"icsk_accept_queue", accept_queue, 1280},
                               {"icsk_ca_ops", b.ptr(b.ref(kConst, "", ops)), 1472},
                               {"icsk_ca_state", u8, 1536, 5},
                               {"icsk_ca_setsockopt", u8, 1541, 1},
                               {"icsk_user_timeout", u32, 1568}});

  // struct tcp_sock: bitfields and a nested structure.
  uint32_t rx_opt = b.structure("tcp_options_received", 8, {{"ts_recent", u32, 0}, {"user_mss", u16, 32}, {"mss_clamp", u16, 48}});
  b.structure("tcp_sock", 264,
              {{"inet_conn", icsk, 0},
               {"nonagle", u8, 1728, 4},
               {"thin_lto", u8, 1732, 1},
               {"recvmsg_inq", u8, 1733, 1},
               {"keepalive_probes", u8, 1736},
               {"keepalive_time", u32, 1760},
               {"keepalive_intvl", u32, 1792},
               {"notsent_lowat", u32, 1824},
               {"rx_opt", rx_opt, 1856},
               {"snd_cwnd", u32, 1920}});
  (void)udp_sock;

  // The targets of the pointers.
  uint32_t inode = b.structure("inode", 24, {{"i_mode", ushort, 0}, {"i_flags", uint, 32}, {"i_ino", ulong, 128}});
  b.define(socket, b.composite(kStruct, "socket", 16, {{"state", sint, 0}, {"type", b.integer("short int", 2, true), 32}}));
  b.structure("socket_alloc", 48, {{"socket", socket, 0}, {"vfs_inode", inode, 128}});
  b.define(pinfo, b.composite(kStruct, "ipv6_pinfo", 16, {{"hop_limit", u8, 0}, {"tclass", u8, 72}}));
  uint32_t name = b.array(schar, sint, 16);
  b.define(ops, b.composite(kStruct, "tcp_congestion_ops", 24, {{"ssthresh", b.ptr(0), 0}, {"name", name, 64}}));

  if (o.iterators) {
    b.enumeration("sock_flags", {{"SOCK_DEAD", 0}, {"SOCK_DONE", 1}, {"SOCK_URGINLINE", 2}, {"SOCK_KEEPOPEN", 3},
                                 {"SOCK_LINGER", 4}, {"SOCK_DESTROY", 5}, {"SOCK_BROADCAST", 6}});
    uint32_t meta = b.structure("bpf_iter_meta", 8, {{"seq", b.ptr(0), 0}});
    uint32_t ctx = b.ptr(b.structure("bpf_iter__tcp", 16, {{"meta", b.ptr(meta), 0}, {"sk_common", b.ptr(sock_common), 64}}));
    b.function("bpf_iter_tcp", sint, ctx);
    b.function("bpf_iter_udp", sint, ctx);
  }
  if (o.inet_flags) {
    // An enum64, as a 64-bit enum of this kind would be.
    b.enumeration64("", {{"INET_FLAGS_PKTINFO", 0}, {"INET_FLAGS_FREEBIND", 11}, {"INET_FLAGS_TRANSPARENT", 12},
                         {"INET_FLAGS_HUGE", uint64_t(1) << 40}});
  }
  return b.blob();
}

// One type of each kind, and references to ids that do not exist.
std::vector<uint8_t> kinds() {
  Builder b;
  uint32_t sint = b.integer("int", 4, true);
  uint32_t fl = b.add({b.str("double"), Builder::info(kFloat, 0), 8});
  uint32_t tagged = b.add({b.str("user"), Builder::info(kTypeTag, 0), b.ptr(sint)});
  uint32_t fwd = b.add({b.str("later"), Builder::info(kFwd, 0), 0});
  uint32_t arr = b.array(b.ref(kRestrict, "", b.ref(kConst, "", sint)), sint, 4);
  uint32_t s = b.structure("all", 40, {{"i", sint, 0}, {"f", fl, 64}, {"t", tagged, 128}, {"p", b.ptr(fwd), 192}, {"a", arr, 256}, {"missing", 9999, 288}});
  uint32_t var = b.add({b.str("a_var"), Builder::info(kVar, 0), s, 1});
  b.add({b.str(".data"), Builder::info(kDatasec, 1), 40, var, 0, 40});
  b.add({b.str("tag"), Builder::info(kDeclTag, 0), s, uint32_t(-1)});
  b.enumeration("e", {{"E_NEG", -5}, {"E_POS", 7}});
  b.function("f", sint, s);
  return b.blob();
}

std::vector<uint8_t> header_only() {
  Builder b;
  return b.blob();
}

// ---- regressions: inputs that once crashed, hung or misled the reader --------------

// tcp_congestion_ops.name is an array of itself: size_of recursed without end.
std::vector<uint8_t> array_of_itself() {
  Builder b;
  uint32_t sint = b.integer("int", 4, true);
  uint32_t name = b.reserve();
  b.define(name, {0, Builder::info(kArray, 0), 0, name, sint, 16});
  b.structure("tcp_congestion_ops", 16, {{"name", name, 0}});
  return b.blob();
}

// 200 anonymous members of a union of 200 anonymous members of itself: the search
// through anonymous members took 200^8 steps.
std::vector<uint8_t> anonymous_of_themselves() {
  Builder b;
  uint32_t self = b.reserve();
  std::vector<Member> members(200, Member{"", self, 0});
  b.define(self, b.composite(kUnion, "", 8, members));
  b.structure("sock_common", 8, members);
  return b.blob();
}

// sock.sk_rcvbuf is int[2^30 + 1]: its size in bits wrapped to 32.
std::vector<uint8_t> array_size_overflow() {
  Builder b;
  uint32_t sint = b.integer("int", 4, true);
  b.structure("sock", 8, {{"sk_rcvbuf", b.array(sint, sint, (1u << 30) + 1), 0}});
  return b.blob();
}

// A typedef of a const of the typedef.
std::vector<uint8_t> qualifier_loop() {
  Builder b;
  uint32_t td = b.reserve(), cv = b.ref(kConst, "", td);
  b.define(td, {b.str("loop_t"), Builder::info(kTypedef, 0), cv});
  b.structure("sock", 8, {{"sk_rcvbuf", td, 0}, {"", td, 0}});
  return b.blob();
}

// A header whose type section is 4 GB long, in a blob of 25 bytes.
std::vector<uint8_t> type_section_huge() {
  std::vector<uint8_t> out = header_only();
  uint32_t huge = UINT32_MAX;
  std::memcpy(&out[12], &huge, 4);
  return out;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::printf("%s: %zu bytes\n", path.c_str(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--regressions") == 0) {
    std::string dir = argv[2];
    write_file(dir + "/array-of-itself.bin", array_of_itself());
    write_file(dir + "/anonymous-members-of-themselves.bin", anonymous_of_themselves());
    write_file(dir + "/array-size-overflow.bin", array_size_overflow());
    write_file(dir + "/qualifier-loop.bin", qualifier_loop());
    write_file(dir + "/type-section-huge.bin", type_section_huge());
    return 0;
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_btf_corpus [--regressions] <output dir>\n");
    return 2;
  }
  std::string dir = argv[1];
  write_file(dir + "/sockets-inet-flags.bin", sockets({}));
  write_file(dir + "/sockets-bitfields.bin", sockets({false, true}));
  write_file(dir + "/sockets-no-iter.bin", sockets({true, false}));
  write_file(dir + "/kinds.bin", kinds());
  write_file(dir + "/header-only.bin", header_only());
  return 0;
}

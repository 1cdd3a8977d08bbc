// Which kernel fields the bpf source reads, and where they are on the running
// kernel: each field's place in the record the socket programs write, and the
// spans and pointer reads (patch_ids.h) that fill the record. Resolved once from
// the kernel's BTF (btf.h); the module reads the same fields by name
// (kernel/knetstat.c).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "bpf/btf.h"
#include "bpf/patch_ids.h"

namespace knetstat::bpf {

enum class Field : int {
  // struct sock_common / struct sock: TCP and UDP.
  kCookie,
  kFamily,
  kState,
  kReuse,
  kReusePort,
  kV6Only,
  kBoundDevIf,
  kFlags,  // sk_flags: SOCK_KEEPOPEN, SOCK_LINGER, SOCK_BROADCAST bits
  kUserLocks,
  kRcvBuf,
  kSndBuf,
  kRcvTimeo,
  kSndTimeo,
  kLingerTime,
  kMark,
  kPriority,
  // struct inet_sock.
  kTos,
  kInetFlags,    // 6.6+: IP_FREEBIND, IP_TRANSPARENT are bits of inet_flags
  kFreeBind,     // before: bitfields
  kTransparent,
  // struct inet_connection_sock / struct tcp_sock: TCP only.
  kNoNagle,
  kKeepIdle,
  kKeepIntvl,
  kKeepCnt,
  kUserTimeout,
  kDeferAccept,
  kFastOpenQlen,
  kNotSentLowat,
  kUserMss,
  // Behind a pointer of the socket.
  kInode,       // sk_socket -> socket_alloc.vfs_inode.i_ino
  kTClass,      // pinet6 -> ipv6_pinfo.tclass
  kCongestion,  // icsk_ca_ops -> tcp_congestion_ops.name (a string)
  kCount
};

constexpr int kFieldCount = static_cast<int>(Field::kCount);
constexpr int kFirstDeref = static_cast<int>(Field::kInode);

// Where a field's value is in a record: `bytes` bytes from `at`, then, for a
// bitfield, `width` bits from bit `shift` (little-endian, as BTF numbers them).
struct FieldPlace {
  bool present = false;
  uint16_t at = 0;
  uint8_t bytes = 0;
  uint8_t shift = 0;
  uint8_t width = 0;  // 0: the whole `bytes`
};

struct Span {
  uint32_t dst, len, src;
};

struct Deref {
  uint32_t ptr, off, len, dst;
};

// What one socket program (iter/tcp or iter/udp) copies, and how to read it back.
struct SocketLayout {
  std::array<FieldPlace, kFieldCount> fields{};
  std::array<Span, KNS_MAX_SPANS> spans{};
  uint32_t span_count = 0;
  std::array<Deref, KNS_MAX_DEREFS> derefs{};
  std::array<bool, KNS_MAX_DEREFS> deref_on{};
  uint32_t record_len = 0;
  int32_t state_at = -1;
  // Bit numbers in sk_flags and inet_flags, from the kernel's enums.
  int keepopen_bit = -1, linger_bit = -1, broadcast_bit = -1;
  int freebind_bit = -1, transparent_bit = -1;
};

// Resolves the fields of `tcp` (else UDP) sockets against `btf`; on failure,
// `why` says which field this kernel lacks.
std::optional<SocketLayout> resolve_layout(const Btf& btf, bool tcp, std::string& why);

// A field's value in `record` (undefined for an absent field: check `present`).
uint64_t read_field(const SocketLayout& layout, const uint8_t* record, Field f);

}  // namespace knetstat::bpf

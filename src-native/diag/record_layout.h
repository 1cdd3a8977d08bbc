// The compact binary record the parser emits per socket; the EntryDecoder
// (src/sources/netlink/entries.ts) reads it through typed-array views at these
// offsets (mirrored by src/sources/netlink/record-layout.ts). All integers are in host byte order; addresses
// stay in network order. Bump kRecordAbiVersion on any change so a stale binary is
// refused instead of misread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace knetstat::diag::record {

constexpr uint32_t kRecordAbiVersion = 1;

constexpr size_t kSize = 0;           // u32: whole record, tail included, multiple of 8
constexpr size_t kProtocol = 4;       // u8: IPPROTO_TCP / IPPROTO_UDP (from the request)
constexpr size_t kFamily = 5;         // u8: AF_INET / AF_INET6
constexpr size_t kState = 6;          // u8: kernel TCP state number
constexpr size_t kTimer = 7;          // u8: idiag_timer
constexpr size_t kRetransmits = 8;    // u8: idiag_retrans
constexpr size_t kShutdown = 9;       // u8: INET_DIAG_SHUTDOWN (kPresentShutdown)
constexpr size_t kTos = 10;           // u8: INET_DIAG_TOS (kPresentTos)
constexpr size_t kTclass = 11;        // u8: INET_DIAG_TCLASS (kPresentTclass)
constexpr size_t kPresent = 12;       // u16: kPresent* bits
constexpr size_t kV6only = 14;        // u8: INET_DIAG_SKV6ONLY (kPresentV6only)
constexpr size_t kCongestionLength = 15;  // u8: bytes of the congestion name in the tail
constexpr size_t kLocalPort = 16;     // u16
constexpr size_t kRemotePort = 18;    // u16
constexpr size_t kIfindex = 20;       // u32
constexpr size_t kUid = 24;           // u32
constexpr size_t kInode = 28;         // u32
constexpr size_t kCookie = 32;        // u64: cookie[0] | cookie[1] << 32
constexpr size_t kExpiresMs = 40;     // u32
constexpr size_t kRecvQ = 44;         // u32
constexpr size_t kSendQ = 48;         // u32
constexpr size_t kMark = 52;          // u32: INET_DIAG_MARK (kPresentMark)
constexpr size_t kCgroupId = 56;      // u64: INET_DIAG_CGROUP_ID (kPresentCgroupId)
constexpr size_t kLocalAddress = 64;  // 16 bytes; IPv4 in the first 4
constexpr size_t kRemoteAddress = 80; // 16 bytes
constexpr size_t kSockopt = 96;       // 2 raw bytes of struct inet_diag_sockopt (kPresentSockopt)
constexpr size_t kTcpInfoLength = 98; // u16: bytes of tcp_info in the tail
constexpr size_t kClassId = 100;      // u32: INET_DIAG_CLASS_ID (kPresentClassId)
constexpr size_t kMeminfoCount = 104; // u8: valid entries of kMeminfo
constexpr size_t kMeminfo = 108;      // u32[kMeminfoSlots]: INET_DIAG_SKMEMINFO (kPresentMeminfo)
constexpr size_t kMeminfoSlots = 9;   // SK_MEMINFO_RMEM_ALLOC .. SK_MEMINFO_DROPS
constexpr size_t kHeaderSize = 144;   // tail: tcp_info bytes, then congestion name bytes
constexpr size_t kAlignTo = 8;

constexpr uint16_t kPresentShutdown = 1 << 0;
constexpr uint16_t kPresentV6only = 1 << 1;
constexpr uint16_t kPresentTos = 1 << 2;
constexpr uint16_t kPresentTclass = 1 << 3;
constexpr uint16_t kPresentMark = 1 << 4;
constexpr uint16_t kPresentCgroupId = 1 << 5;
constexpr uint16_t kPresentSockopt = 1 << 6;
constexpr uint16_t kPresentMeminfo = 1 << 7;
constexpr uint16_t kPresentClassId = 1 << 8;
constexpr uint16_t kPresentTcpInfo = 1 << 9;
constexpr uint16_t kPresentCongestion = 1 << 10;

static_assert(kMeminfo + 4 * kMeminfoSlots <= kHeaderSize, "meminfo overlaps the tail");
static_assert(kHeaderSize % kAlignTo == 0, "the tail must start aligned");

}  // namespace knetstat::diag::record

#include "diag/parse_reply.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "diag/bytes.h"
#include "diag/inet_diag_abi.h"
#include "diag/record_layout.h"

namespace knetstat::diag {
namespace {

namespace rec = record;

struct Span {
  const uint8_t* data;
  size_t size;
};

// The attributes of one socket message, located but not yet copied.
struct SocketAttributes {
  Span info{nullptr, 0};
  Span congestion{nullptr, 0};
  bool has_info = false;
  bool has_congestion = false;
};

// Kernel error codes are -1 .. -4095 (MAX_ERRNO); anything else is not an errno.
constexpr int32_t kMaxErrno = 4095;

ParseResult malformed(ParseResult result, const char* detail) {
  result.end = ReplyEnd::kError;
  result.error = EBADMSG;
  result.detail = detail;
  return result;
}

// Length of a NUL-terminated name inside `span` (the whole span when unterminated),
// capped to what the record's u8 length can say.
size_t name_length(Span span) {
  const void* nul = std::memchr(span.data, 0, span.size);
  size_t length = nul ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - span.data) : span.size;
  return std::min<size_t>(length, 255);
}

// Reads the attributes after inet_diag_msg into the record header; returns a static
// error text when an attribute's framing or size is wrong, else null.
const char* read_attributes(Span attrs, uint8_t* header, SocketAttributes& found) {
  uint16_t present = 0;
  size_t offset = 0;
  while (offset < attrs.size) {
    if (attrs.size - offset < abi::kAttrHeaderSize) return "attribute header truncated";
    const uint8_t* attr = attrs.data + offset;
    const size_t attr_len = load<uint16_t>(attr);
    const uint16_t type = load<uint16_t>(attr + 2) & abi::kAttrTypeMask;
    if (attr_len < abi::kAttrHeaderSize) return "rta_len shorter than the attribute header";
    if (attr_len > attrs.size - offset) return "rta_len runs past the message";
    const uint8_t* payload = attr + abi::kAttrHeaderSize;
    const size_t payload_len = attr_len - abi::kAttrHeaderSize;

    switch (type) {
      case abi::kAttrShutdown:
        if (payload_len < 1) return "INET_DIAG_SHUTDOWN shorter than 1 byte";
        header[rec::kShutdown] = payload[0];
        present |= rec::kPresentShutdown;
        break;
      case abi::kAttrSkv6only:
        if (payload_len < 1) return "INET_DIAG_SKV6ONLY shorter than 1 byte";
        header[rec::kV6only] = payload[0];
        present |= rec::kPresentV6only;
        break;
      case abi::kAttrTos:
        if (payload_len < 1) return "INET_DIAG_TOS shorter than 1 byte";
        header[rec::kTos] = payload[0];
        present |= rec::kPresentTos;
        break;
      case abi::kAttrTclass:
        if (payload_len < 1) return "INET_DIAG_TCLASS shorter than 1 byte";
        header[rec::kTclass] = payload[0];
        present |= rec::kPresentTclass;
        break;
      case abi::kAttrMark:
        if (payload_len < 4) return "INET_DIAG_MARK shorter than 4 bytes";
        std::memcpy(header + rec::kMark, payload, 4);
        present |= rec::kPresentMark;
        break;
      case abi::kAttrClassId:
        if (payload_len < 4) return "INET_DIAG_CLASS_ID shorter than 4 bytes";
        std::memcpy(header + rec::kClassId, payload, 4);
        present |= rec::kPresentClassId;
        break;
      case abi::kAttrCgroupId:
        if (payload_len < 8) return "INET_DIAG_CGROUP_ID shorter than 8 bytes";
        std::memcpy(header + rec::kCgroupId, payload, 8);
        present |= rec::kPresentCgroupId;
        break;
      case abi::kAttrSockopt:
        if (payload_len < 2) return "INET_DIAG_SOCKOPT shorter than 2 bytes";
        std::memcpy(header + rec::kSockopt, payload, 2);
        present |= rec::kPresentSockopt;
        break;
      case abi::kAttrSkmeminfo: {
        // SK_MEMINFO_VARS grew over time; keep the entries this layout has slots for.
        const size_t count = std::min(payload_len / 4, rec::kMeminfoSlots);
        std::memcpy(header + rec::kMeminfo, payload, count * 4);
        header[rec::kMeminfoCount] = static_cast<uint8_t>(count);
        present |= rec::kPresentMeminfo;
        break;
      }
      case abi::kAttrInfo:
        // Any length is valid: the kernel sends its own sizeof(struct tcp_info).
        found.info = Span{payload, payload_len};
        found.has_info = true;
        present |= rec::kPresentTcpInfo;
        break;
      case abi::kAttrCong:
        found.congestion = Span{payload, payload_len};
        found.has_congestion = true;
        present |= rec::kPresentCongestion;
        break;
      default:
        break;  // an attribute this version does not read
    }
    offset += std::min(align_up(attr_len, abi::kAttrAlignTo), attrs.size - offset);
  }
  store<uint16_t>(header + rec::kPresent, present);
  return nullptr;
}

// Appends the record of one SOCK_DIAG_BY_FAMILY payload; returns a static error text
// on malformed bytes, else null. `appended` says whether a record was written.
const char* append_record(Span payload, uint8_t protocol, ByteBuffer& out, bool& appended) {
  appended = false;
  if (payload.size < abi::kMsgSize) return "inet_diag_msg truncated";
  const uint8_t* msg = payload.data;
  const uint8_t family = msg[abi::kMsgFamily];
  if (family != abi::kFamilyInet && family != abi::kFamilyInet6) return nullptr;

  uint8_t header[rec::kHeaderSize] = {};
  SocketAttributes found;
  const char* error =
      read_attributes(Span{msg + abi::kMsgSize, payload.size - abi::kMsgSize}, header, found);
  if (error) return error;

  header[rec::kProtocol] = protocol;
  header[rec::kFamily] = family;
  header[rec::kState] = msg[abi::kMsgState];
  header[rec::kTimer] = msg[abi::kMsgTimer];
  header[rec::kRetransmits] = msg[abi::kMsgRetrans];
  store<uint16_t>(header + rec::kLocalPort, load_be16(msg + abi::kMsgSport));
  store<uint16_t>(header + rec::kRemotePort, load_be16(msg + abi::kMsgDport));
  const size_t address_bytes = family == abi::kFamilyInet ? 4 : 16;
  std::memcpy(header + rec::kLocalAddress, msg + abi::kMsgSrc, address_bytes);
  std::memcpy(header + rec::kRemoteAddress, msg + abi::kMsgDst, address_bytes);
  std::memcpy(header + rec::kIfindex, msg + abi::kMsgIfindex, 4);
  const uint64_t cookie = load<uint32_t>(msg + abi::kMsgCookie) |
                          (static_cast<uint64_t>(load<uint32_t>(msg + abi::kMsgCookie + 4)) << 32);
  store<uint64_t>(header + rec::kCookie, cookie);
  std::memcpy(header + rec::kExpiresMs, msg + abi::kMsgExpires, 4);
  std::memcpy(header + rec::kRecvQ, msg + abi::kMsgRqueue, 4);
  std::memcpy(header + rec::kSendQ, msg + abi::kMsgWqueue, 4);
  std::memcpy(header + rec::kUid, msg + abi::kMsgUid, 4);
  std::memcpy(header + rec::kInode, msg + abi::kMsgInode, 4);

  // rta_len is a u16, so tcp_info always fits the record's u16 length.
  const size_t info_length = found.has_info ? found.info.size : 0;
  const size_t congestion_length = found.has_congestion ? name_length(found.congestion) : 0;
  store<uint16_t>(header + rec::kTcpInfoLength, static_cast<uint16_t>(info_length));
  header[rec::kCongestionLength] = static_cast<uint8_t>(congestion_length);
  const size_t record_size = align_up(rec::kHeaderSize + info_length + congestion_length, rec::kAlignTo);
  store<uint32_t>(header + rec::kSize, static_cast<uint32_t>(record_size));

  uint8_t* dest = out.grow(record_size);
  std::memcpy(dest, header, rec::kHeaderSize);
  uint8_t* tail = dest + rec::kHeaderSize;
  if (info_length) std::memcpy(tail, found.info.data, info_length);
  if (congestion_length) std::memcpy(tail + info_length, found.congestion.data, congestion_length);
  const size_t used = rec::kHeaderSize + info_length + congestion_length;
  std::memset(dest + used, 0, record_size - used);  // the alignment padding
  appended = true;
  return nullptr;
}

}  // namespace

ParseResult parse_reply(const uint8_t* data, size_t size, const ParseOptions& options,
                        ByteBuffer& out) {
  ParseResult result;
  size_t offset = 0;
  while (offset < size) {
    if (size - offset < abi::kNlmsgHeaderSize) return malformed(result, "netlink header truncated");
    const uint8_t* msg = data + offset;
    const size_t msg_len = load<uint32_t>(msg + abi::kNlmsgLenOffset);
    const uint16_t type = load<uint16_t>(msg + abi::kNlmsgTypeOffset);
    const uint16_t flags = load<uint16_t>(msg + abi::kNlmsgFlagsOffset);
    const uint32_t seq = load<uint32_t>(msg + abi::kNlmsgSeqOffset);
    if (msg_len < abi::kNlmsgHeaderSize) return malformed(result, "nlmsg_len shorter than the netlink header");
    if (msg_len > size - offset) return malformed(result, "nlmsg_len runs past the datagram");
    const Span payload{msg + abi::kNlmsgHeaderSize, msg_len - abi::kNlmsgHeaderSize};
    // The last message of a datagram may lack its alignment padding.
    offset += std::min(align_up(msg_len, abi::kNlmsgAlignTo), size - offset);

    if (flags & abi::kNlmFlagDumpIntr) result.interrupted = true;
    if (options.check_seq && seq != options.seq) {
      result.skipped++;
      continue;
    }

    if (type == options.record_type) {
      bool appended = false;
      if (const char* error = append_record(payload, options.protocol, out, appended))
        return malformed(result, error);
      if (appended) result.records++;
      else result.skipped++;
      continue;
    }
    switch (type) {
      case abi::kNlmsgError: {
        if (payload.size < abi::kNlmsgErrorCodeSize) return malformed(result, "NLMSG_ERROR payload truncated");
        const int32_t code = load<int32_t>(payload.data);
        if (code == 0) {
          result.skipped++;  // an ack, not an error
          break;
        }
        if (code > 0 || code < -kMaxErrno) return malformed(result, "NLMSG_ERROR code is not a negative errno");
        result.end = ReplyEnd::kError;
        result.error = -code;
        return result;
      }
      case abi::kNlmsgDone: {
        // Kernels always send the dump's s32 status; tolerate its absence as success.
        const int32_t code = payload.size >= 4 ? load<int32_t>(payload.data) : 0;
        if (code < -kMaxErrno) return malformed(result, "NLMSG_DONE code is not a negative errno");
        if (code < 0) {
          result.end = ReplyEnd::kError;
          result.error = -code;
        } else {
          result.end = ReplyEnd::kDone;
        }
        return result;
      }
      default:
        result.skipped++;  // NLMSG_NOOP, NLMSG_OVERRUN, or a type this version does not know
        break;
    }
  }
  return result;
}

}  // namespace knetstat::diag

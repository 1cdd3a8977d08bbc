// libFuzzer target for the pure reply parser:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc-native
//     test/fuzz/parse_reply_fuzz.cc src-native/diag/parse_reply.cc -o parse_reply_fuzz
// test/fuzz/run.sh builds and runs it over the seed corpus test/fuzz/corpus/parse_reply/
// (real kernel datagrams and hand-made edge cases); without clang,
// test/native/cxx/fuzz_driver.cc runs it under g++'s sanitizers.
//
// The input is one datagram exactly as recvmsg returns it, so the corpus holds plain
// kernel replies. Each input is parsed under both ways the addon parses
// (dump_cursor.cc): per-family SOCK_DIAG_BY_FAMILY without a sequence check, and the
// both-families TCPDIAG_GETSOCK dump with the sequence check (against the first
// message's nlmsg_seq, so mutations of it reach both sides of the check), the second
// appending to a buffer that already holds records, as a dump of several datagrams does.
// Besides memory safety, it checks what the parser promises (parse_reply.h): the end,
// the errno range, and that every record written is well formed.
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "diag/parse_reply.h"
#include "diag/record_layout.h"

namespace {

namespace diag = knetstat::diag;
namespace rec = knetstat::diag::record;

template <typename T>
T read(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr uint16_t kKnownPresentBits = (1u << 11) - 1;

// Every record from `start` on is well formed; there are `expected` of them.
void check_records(const knetstat::ByteBuffer& out, size_t start, uint32_t expected, uint8_t protocol) {
  size_t at = start;
  uint32_t count = 0;
  while (at < out.size()) {
    check(out.size() - at >= rec::kHeaderSize);
    const uint8_t* record = out.data() + at;
    const uint32_t size = read<uint32_t>(record + rec::kSize);
    const size_t info = read<uint16_t>(record + rec::kTcpInfoLength);
    const size_t congestion = record[rec::kCongestionLength];
    const size_t used = rec::kHeaderSize + info + congestion;
    check(size % rec::kAlignTo == 0 && size >= used && size - used < rec::kAlignTo && size <= out.size() - at);
    check(record[rec::kProtocol] == protocol);
    const uint8_t family = record[rec::kFamily];
    check(family == 2 || family == 10);
    const uint16_t present = read<uint16_t>(record + rec::kPresent);
    check((present & ~kKnownPresentBits) == 0);
    check(record[rec::kMeminfoCount] <= rec::kMeminfoSlots);
    if (!(present & rec::kPresentMeminfo)) check(record[rec::kMeminfoCount] == 0);
    if (!(present & rec::kPresentTcpInfo)) check(info == 0);
    if (!(present & rec::kPresentCongestion)) check(congestion == 0);
    // The congestion name stops at its NUL; the padding is zeroed.
    check(std::memchr(record + rec::kHeaderSize + info, 0, congestion) == nullptr);
    for (size_t i = used; i < size; i++) check(record[i] == 0);
    // An IPv4 address fills only the first 4 of its 16 bytes.
    if (family == 2) {
      for (size_t i = 4; i < 16; i++) check(record[rec::kLocalAddress + i] == 0 && record[rec::kRemoteAddress + i] == 0);
    }
    at += size;
    count++;
  }
  check(count == expected);
}

void check_result(const diag::ParseResult& result, size_t size) {
  if (result.end == diag::ReplyEnd::kError) {
    check(result.error > 0 && result.error <= 4095);
    if (result.detail) check(result.error == EBADMSG && result.detail[0] != '\0');
  } else {
    check(result.error == 0 && result.detail == nullptr);
  }
  // Every record and every skipped message took at least a netlink header.
  check((static_cast<size_t>(result.records) + result.skipped) * 16 <= size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  {
    diag::ParseOptions options;
    options.protocol = 6;
    knetstat::ByteBuffer out;
    const diag::ParseResult result = diag::parse_reply(data, size, options, out);
    check_result(result, size);
    check_records(out, 0, result.records, options.protocol);
  }
  {
    diag::ParseOptions options;
    options.protocol = 17;
    options.record_type = 18;  // TCPDIAG_GETSOCK
    options.check_seq = true;
    options.seq = size >= 12 ? read<uint32_t>(data + 8) : 0;
    // A record already in the buffer, from an earlier datagram of the same dump.
    knetstat::ByteBuffer out;
    uint8_t* earlier = out.grow(rec::kHeaderSize);
    std::memset(earlier, 0xee, rec::kHeaderSize);
    const diag::ParseResult result = diag::parse_reply(data, size, options, out);
    check_result(result, size);
    for (size_t i = 0; i < rec::kHeaderSize; i++) check(out.data()[i] == 0xee);
    check_records(out, rec::kHeaderSize, result.records, options.protocol);
  }
  return 0;
}

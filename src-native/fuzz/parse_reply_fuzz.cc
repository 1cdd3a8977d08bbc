// libFuzzer target for the pure reply parser:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc-native
//     src-native/fuzz/parse_reply_fuzz.cc src-native/diag/parse_reply.cc -o parse_reply_fuzz
// Without clang, test/native/cxx/fuzz_driver.cc runs it under g++'s sanitizers.
// Besides memory safety, it checks that every record written is well formed.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "diag/parse_reply.h"
#include "diag/record_layout.h"

namespace {

namespace rec = knetstat::diag::record;

template <typename T>
T read(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

void check_records(const knetstat::ByteBuffer& out, uint32_t expected) {
  size_t at = 0;
  uint32_t count = 0;
  while (at < out.size()) {
    if (out.size() - at < rec::kHeaderSize) std::abort();
    const uint8_t* record = out.data() + at;
    const uint32_t size = read<uint32_t>(record + rec::kSize);
    const size_t tail = read<uint16_t>(record + rec::kTcpInfoLength) + record[rec::kCongestionLength];
    if (size % rec::kAlignTo != 0 || size < rec::kHeaderSize + tail || size > out.size() - at) std::abort();
    if (record[rec::kMeminfoCount] > rec::kMeminfoSlots) std::abort();
    at += size;
    count++;
  }
  if (count != expected) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  knetstat::diag::ParseOptions options;
  options.protocol = 6;
  knetstat::ByteBuffer out;
  const knetstat::diag::ParseResult result = knetstat::diag::parse_reply(data, size, options, out);
  if (result.end == knetstat::diag::ReplyEnd::kError && (result.error <= 0 || result.error > 4095)) std::abort();
  if (result.end != knetstat::diag::ReplyEnd::kError) check_records(out, result.records);
  return 0;
}

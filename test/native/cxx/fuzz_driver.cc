// Runs the libFuzzer target (src-native/fuzz/parse_reply_fuzz.cc) without libFuzzer:
// deterministic random inputs and mutations of a valid reply, for g++ builds with
// -fsanitize=address,undefined. Usage: fuzz_driver <iterations> <seed>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void put16(std::vector<uint8_t>& v, size_t at, uint16_t x) { std::memcpy(&v[at], &x, 2); }
void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) { std::memcpy(&v[at], &x, 4); }

void append_attr(std::vector<uint8_t>& msg, uint16_t type, size_t payload) {
  const size_t at = msg.size();
  msg.resize(at + ((4 + payload + 3) & ~size_t{3}), 0x5a);
  put16(msg, at, static_cast<uint16_t>(4 + payload));
  put16(msg, at + 2, type);
}

// A datagram with two socket messages carrying every attribute, then NLMSG_DONE.
std::vector<uint8_t> valid_reply() {
  std::vector<uint8_t> out;
  for (int i = 0; i < 2; i++) {
    std::vector<uint8_t> msg(16 + 72, 0);
    msg[16] = i == 0 ? 2 : 10;  // family
    msg[17] = 1;                // state
    append_attr(msg, 8, 1);     // SHUTDOWN
    append_attr(msg, 5, 1);     // TOS
    append_attr(msg, 6, 1);     // TCLASS
    append_attr(msg, 11, 1);    // SKV6ONLY
    append_attr(msg, 7, 36);    // SKMEMINFO
    append_attr(msg, 2, 280);   // INFO
    append_attr(msg, 4, 6);     // CONG
    append_attr(msg, 22, 2);    // SOCKOPT
    append_attr(msg, 15, 4);    // MARK
    append_attr(msg, 17, 4);    // CLASS_ID
    append_attr(msg, 21, 8);    // CGROUP_ID
    put32(msg, 0, static_cast<uint32_t>(msg.size()));
    put16(msg, 4, 20);
    out.insert(out.end(), msg.begin(), msg.end());
  }
  std::vector<uint8_t> done(20, 0);
  put32(done, 0, 20);
  put16(done, 4, 3);
  out.insert(out.end(), done.begin(), done.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 100000;
  std::mt19937 random(argc > 2 ? static_cast<unsigned>(std::atol(argv[2])) : 1);
  const std::vector<uint8_t> valid = valid_reply();
  LLVMFuzzerTestOneInput(valid.data(), valid.size());
  for (long i = 0; i < iterations; i++) {
    std::vector<uint8_t> input;
    if (i % 4 == 0) {
      input.resize(random() % 600);
      for (auto& byte : input) byte = static_cast<uint8_t>(random());
    } else {
      input = valid;
      const int edits = 1 + static_cast<int>(random() % 8);
      for (int e = 0; e < edits; e++) input[random() % input.size()] = static_cast<uint8_t>(random());
      if (random() % 4 == 0) input.resize(random() % (input.size() + 1));
    }
    // An exact-size heap copy, so ASan sees any read past the end.
    std::vector<uint8_t> exact(input.begin(), input.end());
    LLVMFuzzerTestOneInput(exact.empty() ? nullptr : exact.data(), exact.size());
  }
  std::printf("fuzzed %ld inputs\n", iterations);
  return 0;
}

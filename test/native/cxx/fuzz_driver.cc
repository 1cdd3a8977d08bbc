// Runs the libFuzzer target (test/fuzz/parse_reply_fuzz.cc) without libFuzzer,
// for g++ builds with -fsanitize=address,undefined:
//   fuzz_driver <iterations> <seed>          deterministic random inputs and mutations
//                                            of a valid reply
//   fuzz_driver --replay <file|dir>...       each file (each regular file of a dir, in
//                                            name order, dotfiles and *.md left out) as
//                                            one input, and a line per file saying how
//                                            the parser ended on it
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "diag/parse_reply.h"

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

// An exact-size heap copy, so ASan sees any read past the end.
void run_one(const std::vector<uint8_t>& input) {
  std::vector<uint8_t> exact(input.begin(), input.end());
  LLVMFuzzerTestOneInput(exact.empty() ? nullptr : exact.data(), exact.size());
}

bool read_file(const std::string& path, std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  bytes.clear();
  uint8_t chunk[65536];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
  const bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

bool is_input_name(const std::string& name) {
  return !name.empty() && name[0] != '.' && !(name.size() >= 3 && name.compare(name.size() - 3, 3, ".md") == 0);
}

// Files to replay: a file argument as given, a directory's regular files by name.
bool collect(const std::string& path, std::vector<std::string>& files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "fuzz_driver: %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    files.push_back(path);
    return true;
  }
  DIR* dir = opendir(path.c_str());
  if (!dir) {
    std::fprintf(stderr, "fuzz_driver: %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  std::vector<std::string> names;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    const std::string full = path + "/" + name;
    struct stat est;
    if (is_input_name(name) && stat(full.c_str(), &est) == 0 && S_ISREG(est.st_mode)) names.push_back(full);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  files.insert(files.end(), names.begin(), names.end());
  return true;
}

int replay(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 2; i < argc; i++) {
    if (!collect(argv[i], files)) return 2;
  }
  for (const std::string& path : files) {
    std::vector<uint8_t> input;
    if (!read_file(path, input)) {
      std::fprintf(stderr, "fuzz_driver: cannot read %s: %s\n", path.c_str(), std::strerror(errno));
      return 2;
    }
    // Say first which file runs, so a sanitizer report follows its name.
    std::fprintf(stderr, "fuzz_driver: replaying %s\n", path.c_str());
    run_one(input);
    // The summary parses as the addon would: a both-families dump's records have the
    // request's type, TCPDIAG_GETSOCK (18), which the first message tells.
    knetstat::diag::ParseOptions options;
    options.protocol = 6;
    if (input.size() >= 6 && input[4] == 18 && input[5] == 0) options.record_type = 18;
    knetstat::ByteBuffer out;
    const knetstat::diag::ParseResult r = knetstat::diag::parse_reply(input.data(), input.size(), options, out);
    const char* end = r.end == knetstat::diag::ReplyEnd::kDone ? "done" : r.end == knetstat::diag::ReplyEnd::kError ? "error" : "more";
    std::printf("%s: %s records=%u skipped=%u errno=%d interrupted=%d%s%s\n", path.c_str(), end, r.records, r.skipped, r.error,
                r.interrupted ? 1 : 0, r.detail ? " detail=" : "", r.detail ? r.detail : "");
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--replay") == 0) return replay(argc, argv);
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
    run_one(input);
  }
  std::printf("fuzzed %ld inputs\n", iterations);
  return 0;
}

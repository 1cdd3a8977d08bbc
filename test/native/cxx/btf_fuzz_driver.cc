// Runs the BTF fuzz target (test/fuzz/btf_fuzz.cc) without libFuzzer, for g++ builds
// with -fsanitize=address,undefined:
//   btf_fuzz_driver <file|dir>...   each file (each regular file of a dir, in name
//                                   order, dotfiles and *.md left out) as one input,
//                                   and a line per file saying how the layouts resolved:
//                                   "<path>: btf=ok|error tcp=ok|no udp=ok|no"
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bpf/btf.h"
#include "bpf/socket_layout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; i++) {
    if (!fs::is_directory(argv[i])) {
      files.emplace_back(argv[i]);
      continue;
    }
    std::vector<fs::path> in_dir;
    for (const auto& entry : fs::directory_iterator(argv[i])) {
      std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && name[0] != '.' && entry.path().extension() != ".md") in_dir.push_back(entry.path());
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  for (const fs::path& path : files) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "btf_fuzz_driver: cannot read %s\n", path.c_str());
      return 2;
    }
    // An exact-size heap copy, so ASan sees any read past the end.
    std::vector<uint8_t> input((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "btf_fuzz_driver: replaying %s\n", path.c_str());
    LLVMFuzzerTestOneInput(input.empty() ? nullptr : input.data(), input.size());
    knetstat::bpf::Btf btf(std::move(input));
    std::string why;
    bool tcp = knetstat::bpf::resolve_layout(btf, true, why).has_value();
    bool udp = knetstat::bpf::resolve_layout(btf, false, why).has_value();
    std::printf("%s: btf=%s tcp=%s udp=%s\n", path.c_str(), btf.ok() ? "ok" : "error", tcp ? "ok" : "no", udp ? "ok" : "no");
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}

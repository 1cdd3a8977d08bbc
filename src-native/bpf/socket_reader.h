// The bpf options source's native core: loads the socket programs once (patched
// with the running kernel's field offsets from its BTF), checks them against a
// socket of its own whose options it set (which also gives the kernel's HZ), and
// then reads every TCP or UDP socket of the caller's network namespace into
// socket_record.h records, as often as asked. Everything here runs on worker
// threads; the programs and links are freed with the reader.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bpf/socket_layout.h"
#include "util/system_failure.h"
#include "util/unique_fd.h"

namespace knetstat::bpf {

// Why the source cannot be used here: a SystemFailure and a short cause the
// TypeScript side words (src/sources/why-no-options.ts).
struct OpenFailure : SystemFailure {
  // 'no-btf' | 'old-kernel' | 'no-privilege' | 'lockdown' | 'layout' | 'failed'
  const char* cause = "failed";
};

class SocketReader {
 public:
  static std::unique_ptr<SocketReader> open(OpenFailure& failure);

  // Every full socket (no TIME_WAIT or request sockets) of the protocol, as records.
  bool read(bool tcp, std::vector<uint8_t>& out, SystemFailure& failure) const;
  uint32_t hz() const { return hz_; }

 private:
  struct Program {
    SocketLayout layout;
    UniqueFd prog, link;
  };
  bool read_raw(const Program& p, std::vector<uint8_t>& raw, SystemFailure& failure) const;
  void decode(const Program& p, bool tcp, const uint8_t* raw, uint8_t* out) const;
  bool calibrate(OpenFailure& failure);

  Program tcp_, udp_;
  uint32_t hz_ = 0;
};

}  // namespace knetstat::bpf

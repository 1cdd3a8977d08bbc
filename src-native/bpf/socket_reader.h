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

// One pass over a protocol's table, read a part at a time (SocketReader::next).
struct SocketIteration {
  bool tcp = false;
  // The network namespace to iterate (invalid: the caller's), closed once the
  // iteration is created there; and a socket opened there through which its
  // interface names are asked (ifindexes are per namespace), closed when done.
  UniqueFd netns;
  bool other_netns = false;
  UniqueFd device_names;
  bool started = false;
  bool done = false;
  UniqueFd fd;
  std::vector<uint8_t> carry;  // the start of a record the last read() cut
};

class SocketReader {
 public:
  static std::unique_ptr<SocketReader> open(OpenFailure& failure);

  // Every full socket (no TIME_WAIT or request sockets) of the protocol, as records.
  bool read(bool tcp, UniqueFd netns, std::vector<uint8_t>& out, SystemFailure& failure) const;
  // The next records of `it`: at least `min_records` unless the table ends first
  // (then it.done). The iteration starts on the first call, in the calling thread's
  // network namespace; it ends (its descriptor closed) when done.
  bool next(SocketIteration& it, size_t min_records, std::vector<uint8_t>& out, SystemFailure& failure) const;
  uint32_t hz() const { return hz_; }
  // Whether the programs ask the kernel for cookies (5.12+), rather than read the field.
  bool cookies() const { return cookie_helper_; }

 private:
  struct Program {
    SocketLayout layout;
    UniqueFd prog, link;
  };
  const Program& program(bool tcp) const { return tcp ? tcp_ : udp_; }
  // next() before decoding: whole records of the program's raw layout.
  bool next_raw(SocketIteration& it, size_t min_records, std::vector<uint8_t>& raw, SystemFailure& failure) const;
  void decode(const Program& p, const SocketIteration& it, const uint8_t* raw, uint8_t* out) const;
  bool calibrate(OpenFailure& failure);

  Program tcp_, udp_;
  uint32_t hz_ = 0;
  bool cookie_helper_ = true;
};

}  // namespace knetstat::bpf

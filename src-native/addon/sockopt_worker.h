// readSocketOptions(targets: Uint32Array of (pid, fd, inode, hints) quadruples): runs
// pidfd::read_socket_options on a worker thread and resolves with a Buffer of option
// records (pidfd/option_record.h), one per triple, in order. Never rejects for one
// socket: each record carries its own errno and syscall. Rejects (EMFILE/ENFILE) when
// this process is out of descriptors.
#pragma once

#include <napi.h>

#include <vector>

#include "addon/promise_worker.h"
#include "pidfd/read_options.h"
#include "util/system_failure.h"

namespace knetstat::addon {

class SockoptWorker : public PromiseWorker {
 public:
  SockoptWorker(Napi::Env env, std::vector<pidfd::Target> targets);

  // Reads the quadruples of a Uint32Array; throws a TypeError/RangeError (with code) otherwise.
  static std::vector<pidfd::Target> read_targets(const Napi::Value& value);

 protected:
  void Execute() override;
  Napi::Value Settle(Napi::Env env) override;

 private:
  std::vector<pidfd::Target> targets_;
  std::vector<uint8_t> records_;
  SystemFailure failure_;
  bool ok_ = false;
};

}  // namespace knetstat::addon

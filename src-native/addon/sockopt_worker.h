// readSocketOptions(targets: Uint32Array of (pid, fd, inode, hints) quadruples): runs
// pidfd::read_socket_options on a worker thread and resolves with a Buffer of option
// records (pidfd/option_record.h), one per triple, in order. Never rejects for one
// socket: each record carries its own errno and syscall.
#pragma once

#include <napi.h>

#include <vector>

#include "pidfd/read_options.h"

namespace knetstat::addon {

class SockoptWorker : public Napi::AsyncWorker {
 public:
  SockoptWorker(Napi::Env env, std::vector<pidfd::Target> targets);

  Napi::Promise promise() const { return deferred_.Promise(); }

  // Reads the quadruples of a Uint32Array; throws a TypeError/RangeError (with code) otherwise.
  static std::vector<pidfd::Target> read_targets(const Napi::Value& value);

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<pidfd::Target> targets_;
  std::vector<uint8_t> records_;
};

}  // namespace knetstat::addon

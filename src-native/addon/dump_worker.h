// Runs diag::dump_sockets on a libuv worker thread and settles a Promise with the
// record Buffer, or rejects with a system error (addon/system_error.h).
#pragma once

#include <napi.h>

#include <vector>

#include "diag/dump_request.h"
#include "util/byte_buffer.h"

namespace knetstat::addon {

class DumpWorker : public Napi::AsyncWorker {
 public:
  DumpWorker(Napi::Env env, std::vector<diag::DumpRequest> requests);

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<diag::DumpRequest> requests_;
  ByteBuffer records_;
  diag::DumpFailure failure_;
  bool ok_ = false;
};

}  // namespace knetstat::addon

// Runs diag::dump_sockets on a libuv worker thread and settles a Promise with the
// record Buffer, or rejects with a system error (addon/system_error.h).
#pragma once

#include <napi.h>

#include <vector>

#include "addon/promise_worker.h"
#include "diag/dump_request.h"
#include "util/system_failure.h"
#include "util/byte_buffer.h"

namespace knetstat::addon {

class DumpWorker : public PromiseWorker {
 public:
  DumpWorker(Napi::Env env, std::vector<diag::DumpRequest> requests);

 protected:
  void Execute() override;
  Napi::Value Settle(Napi::Env env) override;

 private:
  std::vector<diag::DumpRequest> requests_;
  ByteBuffer records_;
  SystemFailure failure_;
  bool ok_ = false;
};

}  // namespace knetstat::addon

#include "addon/dump_worker.h"

#include "addon/record_buffer.h"
#include "addon/system_error.h"
#include "diag/sock_diag_dump.h"

namespace knetstat::addon {

DumpWorker::DumpWorker(Napi::Env env, std::vector<diag::DumpRequest> requests)
    : PromiseWorker(env, "knetstat:dump"), requests_(std::move(requests)) {}

void DumpWorker::Execute() {
  // Worker thread: no N-API here.
  ok_ = diag::dump_sockets(requests_, records_, failure_);
  if (!ok_) records_ = ByteBuffer();
}

Napi::Value DumpWorker::Settle(Napi::Env env) {
  if (!ok_) throw make_system_error(env, failure_);
  return to_buffer(env, std::move(records_));
}

}  // namespace knetstat::addon

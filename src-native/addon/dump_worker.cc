#include "addon/dump_worker.h"

#include "addon/record_buffer.h"
#include "addon/system_error.h"
#include "diag/sock_diag_dump.h"

namespace knetstat::addon {

DumpWorker::DumpWorker(Napi::Env env, std::vector<diag::DumpRequest> requests)
    : Napi::AsyncWorker(env, "knetstat:dump"),
      deferred_(Napi::Promise::Deferred::New(env)),
      requests_(std::move(requests)) {}

void DumpWorker::Execute() {
  // Worker thread: no N-API here.
  ok_ = diag::dump_sockets(requests_, records_, failure_);
  if (!ok_) records_ = ByteBuffer();
}

void DumpWorker::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  if (ok_) deferred_.Resolve(to_buffer(env, std::move(records_)));
  else deferred_.Reject(make_system_error(env, failure_).Value());
}

void DumpWorker::OnError(const Napi::Error& error) {
  // Only reached when Execute threw a C++ exception (dump_sockets catches its own).
  Napi::HandleScope scope(Env());
  deferred_.Reject(error.Value());
}

}  // namespace knetstat::addon

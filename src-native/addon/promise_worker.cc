#include "addon/promise_worker.h"

namespace knetstat::addon {

PromiseWorker::PromiseWorker(Napi::Env env, const char* resource_name)
    : Napi::AsyncWorker(env, resource_name), deferred_(Napi::Promise::Deferred::New(env)) {}

void PromiseWorker::OnOK() {
  Finished();
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::Value outcome;
  try {
    outcome = Settle(env);
  } catch (const Napi::Error& error) {
    deferred_.Reject(error.Value());
    return;
  }
  deferred_.Resolve(outcome);
}

void PromiseWorker::OnError(const Napi::Error& error) {
  // Only reached when Execute() threw a C++ exception (the cores catch their own).
  Finished();
  Napi::HandleScope scope(Env());
  deferred_.Reject(error.Value());
}

}  // namespace knetstat::addon

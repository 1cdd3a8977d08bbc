// The base of the addon's AsyncWorkers: the work runs in Execute() on a libuv
// worker thread (no N-API there); Settle() then builds the outcome on the JS thread,
// and this class resolves the Promise with it, or rejects with what Settle throws.
// queue_worker() starts one and hands back its Promise.
//
// A worker_threads Worker terminated mid-listing tears its environment down while a
// work item is still in flight: the completion then runs with N-API refusing every
// call, so settling throws a Napi::Error that cannot reach JS. binding.gyp's
// NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS drops it (nobody is left to receive that
// promise's outcome) and AsyncWorker frees the worker as usual.
#pragma once

#include <napi.h>

#include <utility>

namespace knetstat::addon {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  PromiseWorker(Napi::Env env, const char* resource_name);

  // JS thread, after Execute(): the value to resolve with; a Napi::Error thrown rejects.
  virtual Napi::Value Settle(Napi::Env env) = 0;
  // JS thread, first thing after the work, however it ended (e.g. free a cursor).
  virtual void Finished() {}

 private:
  void OnOK() final;
  void OnError(const Napi::Error& error) final;

  Napi::Promise::Deferred deferred_;
};

// Creates a `Worker` (a PromiseWorker) from `env` and `args`, queues it on the libuv
// thread pool and returns its Promise; the worker deletes itself after settling.
template <typename Worker, typename... Args>
Napi::Promise queue_worker(Napi::Env env, Args&&... args) {
  auto* worker = new Worker(env, std::forward<Args>(args)...);
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace knetstat::addon

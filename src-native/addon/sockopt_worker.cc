#include "addon/sockopt_worker.h"

#include <algorithm>
#include <thread>

#include "addon/coded_error.h"
#include "addon/record_buffer.h"
#include "addon/system_error.h"

namespace knetstat::addon {

SockoptWorker::SockoptWorker(Napi::Env env, std::vector<pidfd::Target> targets)
    : PromiseWorker(env, "knetstat:readSocketOptions"), targets_(std::move(targets)) {}

std::vector<pidfd::Target> SockoptWorker::read_targets(const Napi::Value& value) {
  Napi::Env env = value.Env();
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    throw_type_error(env, "targets must be a Uint32Array of (pid, fd, inode, hints) quadruples");
  Napi::Uint32Array array = value.As<Napi::Uint32Array>();
  if (array.ElementLength() % 4 != 0)
    throw_range_error(env, "targets must hold a multiple of 4 numbers: (pid, fd, inode, hints) quadruples");
  std::vector<pidfd::Target> targets(array.ElementLength() / 4);
  for (size_t i = 0; i < targets.size(); i++) {
    targets[i] = {array[i * 4], array[i * 4 + 1], array[i * 4 + 2], array[i * 4 + 3]};
  }
  return targets;
}

void SockoptWorker::Execute() {
  // Worker thread: no N-API here. Big batches also use a few short-lived threads.
  const unsigned cores = std::thread::hardware_concurrency();
  ok_ = pidfd::read_socket_options(targets_, records_, failure_, std::min(cores == 0 ? 1u : cores, 4u));
}

Napi::Value SockoptWorker::Settle(Napi::Env env) {
  if (!ok_) throw make_system_error(env, failure_);
  return to_buffer(env, std::move(records_));
}

}  // namespace knetstat::addon

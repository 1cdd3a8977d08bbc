#include "addon/fd_scan_worker.h"

#include <cstring>

#include "addon/record_buffer.h"
#include "addon/system_error.h"

namespace knetstat::addon {
namespace {

std::vector<uint8_t> to_bytes(const std::vector<uint32_t>& words) {
  std::vector<uint8_t> bytes(words.size() * sizeof(uint32_t));
  if (!bytes.empty()) std::memcpy(bytes.data(), words.data(), bytes.size());
  return bytes;
}

}  // namespace

FdScanWorker::FdScanWorker(Napi::Env env, std::string root)
    : PromiseWorker(env, "knetstat:scanProcFds"), root_(std::move(root)) {}

void FdScanWorker::Execute() { ok_ = proc::scan_proc_fds(root_, scan_, failure_); }

Napi::Value FdScanWorker::Settle(Napi::Env env) {
  if (!ok_) throw make_system_error(env, failure_);
  Napi::Object result = Napi::Object::New(env);
  result.Set("fds", to_buffer(env, to_bytes(scan_.fds)));
  result.Set("processes", to_buffer(env, to_bytes(scan_.processes)));
  Napi::Array commands = Napi::Array::New(env, scan_.commands.size());
  for (uint32_t i = 0; i < scan_.commands.size(); i++) commands.Set(i, Napi::String::New(env, scan_.commands[i]));
  result.Set("commands", commands);
  result.Set("scanned", Napi::Number::New(env, scan_.scanned));
  return result;
}

}  // namespace knetstat::addon

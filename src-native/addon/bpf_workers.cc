#include "addon/bpf_workers.h"

#include "addon/record_buffer.h"
#include "addon/system_error.h"

namespace knetstat::addon {

BpfOpenWorker::BpfOpenWorker(Napi::Env env, std::shared_ptr<BpfReaderSlot> slot)
    : PromiseWorker(env, "knetstat:openBpfReader"), slot_(std::move(slot)), already_(slot_->reader != nullptr) {}

void BpfOpenWorker::Execute() {
  if (!already_) loaded_ = bpf::SocketReader::open(failure_);
}

Napi::Value BpfOpenWorker::Settle(Napi::Env env) {
  if (!already_ && loaded_ == nullptr) {
    Napi::Error error = make_system_error(env, failure_);
    error.Set("cause", Napi::String::New(env, failure_.cause));
    throw error;
  }
  // Two loads raced: the first one kept is everyone's; the other is freed here.
  if (slot_->reader == nullptr) slot_->reader = std::move(loaded_);
  Napi::Object result = Napi::Object::New(env);
  result.Set("hz", Napi::Number::New(env, slot_->reader->hz()));
  return result;
}

BpfReadWorker::BpfReadWorker(Napi::Env env, std::shared_ptr<const bpf::SocketReader> reader, bool tcp)
    : PromiseWorker(env, "knetstat:readBpfSockets"), reader_(std::move(reader)), tcp_(tcp) {}

void BpfReadWorker::Execute() { ok_ = reader_->read(tcp_, records_, failure_); }

Napi::Value BpfReadWorker::Settle(Napi::Env env) {
  if (!ok_) throw make_system_error(env, failure_);
  return to_buffer(env, std::move(records_));
}

}  // namespace knetstat::addon

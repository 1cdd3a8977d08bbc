#include "addon/bpf_workers.h"

#include <cmath>
#include <string>

#include "addon/coded_error.h"
#include "addon/cursor_handle.h"
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
  result.Set("cookies", Napi::Boolean::New(env, slot_->reader->cookies()));
  return result;
}

BpfReadWorker::BpfReadWorker(Napi::Env env, std::shared_ptr<const bpf::SocketReader> reader, bool tcp, UniqueFd netns)
    : PromiseWorker(env, "knetstat:readBpfSockets"), reader_(std::move(reader)), tcp_(tcp), netns_(std::move(netns)) {}

void BpfReadWorker::Execute() { ok_ = reader_->read(tcp_, std::move(netns_), records_, failure_); }

Napi::Value BpfReadWorker::Settle(Napi::Env env) {
  if (!ok_) throw make_system_error(env, failure_);
  return to_buffer(env, std::move(records_));
}

namespace {

// Identifies our Externals (addon/cursor_handle.h).
constexpr napi_type_tag kBpfCursorTag = {0x6b6e657473746174ULL, 0x6270666375723031ULL};
// Largest part one read may ask for: bounds what a single read holds.
constexpr double kMaxRecords = 1 << 20;

class CursorReadWorker : public PromiseWorker {
 public:
  CursorReadWorker(Napi::Env env, std::shared_ptr<BpfCursor> cursor, size_t min_records)
      : PromiseWorker(env, "knetstat:readBpfCursor"), cursor_(std::move(cursor)), min_records_(min_records) {
    cursor_->busy = true;
  }

 protected:
  void Execute() override { ok_ = cursor_->reader->next(cursor_->iteration, min_records_, records_, failure_); }
  void Finished() override { cursor_->busy = false; }
  Napi::Value Settle(Napi::Env env) override {
    if (!ok_) throw make_system_error(env, failure_);
    Napi::Object result = Napi::Object::New(env);
    result.Set("records", to_buffer(env, std::move(records_)));
    result.Set("done", Napi::Boolean::New(env, cursor_->iteration.done));
    return result;
  }

 private:
  std::shared_ptr<BpfCursor> cursor_;
  size_t min_records_;
  std::vector<uint8_t> records_;
  SystemFailure failure_;
  bool ok_ = false;
};

}  // namespace

Napi::Value open_bpf_cursor(Napi::Env env, std::shared_ptr<const bpf::SocketReader> reader, bool tcp, UniqueFd netns) {
  auto cursor = std::make_shared<BpfCursor>();
  cursor->reader = std::move(reader);
  cursor->iteration.tcp = tcp;
  cursor->iteration.netns = std::move(netns);
  return wrap_cursor(env, std::move(cursor), &kBpfCursorTag);
}

Napi::Value read_bpf_cursor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto cursor = unwrap_cursor<BpfCursor>(info[0], &kBpfCursorTag, "bpf cursor from openBpfCursor");
  if (!info[1].IsNumber()) throw_type_error(env, "minRecords must be a number");
  const double min_records = info[1].As<Napi::Number>().DoubleValue();
  if (!(min_records >= 1 && min_records <= kMaxRecords) || std::floor(min_records) != min_records)
    throw_range_error(env, "minRecords must be an integer from 1 to " + std::to_string(static_cast<long>(kMaxRecords)));
  return queue_worker<CursorReadWorker>(env, std::move(cursor), static_cast<size_t>(min_records));
}

}  // namespace knetstat::addon

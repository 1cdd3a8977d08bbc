#include "addon/dump_cursor_binding.h"

#include <cerrno>
#include <cmath>
#include <memory>
#include <new>
#include <string>

#include "addon/coded_error.h"
#include "addon/cursor_handle.h"
#include "addon/promise_worker.h"
#include "addon/record_buffer.h"
#include "addon/request_args.h"
#include "addon/system_error.h"
#include "diag/dump_cursor.h"
#include "diag/failure_message.h"
#include "diag/netlink_transport.h"
#include "addon/netns_binding.h"
#include "util/unique_fd.h"

namespace knetstat::addon {
namespace {

// Identifies our Externals (addon/cursor_handle.h).
constexpr napi_type_tag kCursorTag = {0x6b6e657473746174ULL, 0x6375727330303031ULL};

// Largest batch one read may ask for: bounds what a single read can hold.
constexpr double kMaxBatchBytes = 64.0 * 1024 * 1024;

struct CursorSlot {
  // `netns` is the cursor's own descriptor of the namespace to dump (invalid: the caller's).
  CursorSlot(std::vector<diag::DumpRequest> requests, UniqueFd netns_fd)
      : netns(std::move(netns_fd)),
        cursor(std::move(requests), [this](int& error) {
          // The socket stays in the namespace it was opened in: the descriptor is not needed after.
          auto transport = diag::open_netlink_transport_in(netns.get(), error);
          netns.reset();
          return transport;
        }) {}
  UniqueFd netns;
  diag::DumpCursor cursor;
  bool busy = false;  // a worker owns the cursor; only touched on the JS thread
};

using SlotPtr = std::shared_ptr<CursorSlot>;

SlotPtr slot_of(const Napi::Value& value) {
  return unwrap_cursor<CursorSlot>(value, &kCursorTag, "dump cursor from openDumpCursor");
}

class ReadWorker : public PromiseWorker {
 public:
  ReadWorker(Napi::Env env, SlotPtr slot, size_t min_bytes)
      : PromiseWorker(env, "knetstat:dumpCursorRead"), slot_(std::move(slot)), min_bytes_(min_bytes) {
    slot_->busy = true;
  }

 protected:
  void Execute() override {
    try {
      ok_ = slot_->cursor.next(min_bytes_, records_, failure_);
    } catch (const std::bad_alloc&) {
      records_ = ByteBuffer();
      slot_->cursor.close();
      failure_ = diag::make_failure(ENOMEM, "recvmsg", nullptr);
      ok_ = false;
    }
    if (!ok_) records_ = ByteBuffer();
  }
  void Finished() override { slot_->busy = false; }
  Napi::Value Settle(Napi::Env env) override {
    if (!ok_) throw make_system_error(env, failure_);
    Napi::Object result = Napi::Object::New(env);
    result.Set("records", to_buffer(env, std::move(records_)));
    result.Set("done", Napi::Boolean::New(env, slot_->cursor.done()));
    result.Set("interrupted", Napi::Boolean::New(env, slot_->cursor.interrupted()));
    return result;
  }

 private:
  SlotPtr slot_;
  size_t min_bytes_;
  ByteBuffer records_;
  SystemFailure failure_;
  bool ok_ = false;
};

class CloseWorker : public PromiseWorker {
 public:
  CloseWorker(Napi::Env env, SlotPtr slot) : PromiseWorker(env, "knetstat:dumpCursorClose"), slot_(std::move(slot)) {
    slot_->busy = true;
  }

 protected:
  void Execute() override { slot_->cursor.close(); }
  void Finished() override { slot_->busy = false; }
  Napi::Value Settle(Napi::Env env) override { return env.Undefined(); }

 private:
  SlotPtr slot_;
};

}  // namespace

Napi::Value open_dump_cursor(const Napi::CallbackInfo& info) {
  std::vector<diag::DumpRequest> requests = read_dump_requests(info[0]);
  UniqueFd netns = read_netns_fd(info.Env(), info[1], "openDumpCursor");
  return wrap_cursor(info.Env(), std::make_shared<CursorSlot>(std::move(requests), std::move(netns)), &kCursorTag);
}

Napi::Value read_dump_cursor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SlotPtr slot = slot_of(info[0]);
  if (!info[1].IsNumber()) throw_type_error(env, "minBytes must be a number");
  const double min_bytes = info[1].As<Napi::Number>().DoubleValue();
  if (!(min_bytes >= 1 && min_bytes <= kMaxBatchBytes) || std::floor(min_bytes) != min_bytes)
    throw_range_error(env, "minBytes must be an integer from 1 to " + std::to_string(static_cast<long>(kMaxBatchBytes)));
  return queue_worker<ReadWorker>(env, std::move(slot), static_cast<size_t>(min_bytes));
}

Napi::Value close_dump_cursor(const Napi::CallbackInfo& info) {
  return queue_worker<CloseWorker>(info.Env(), slot_of(info[0]));
}

}  // namespace knetstat::addon

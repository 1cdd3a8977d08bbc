// The bpf options source on the libuv thread pool (bpf/socket_reader.h):
//   openBpfReader(): Promise<{ hz }>  loads the socket programs once per addon
//     instance (a worker_threads Worker has its own, freed with it); rejects with a
//     system error whose `cause` says why the source cannot serve here.
//   readBpfSockets(tcp: boolean): Promise<Buffer>  every full TCP (else UDP) socket
//     of the caller's network namespace as bpf/socket_record.h records.
//   openBpfCursor(tcp) -> handle; readBpfCursor(handle, minRecords) ->
//     Promise<{ records, done }>  the same, a part at a time (a stream's bounded
//     join); the iteration's descriptor closes when done, or with the handle.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "addon/promise_worker.h"
#include "bpf/socket_reader.h"

namespace knetstat::addon {

// The addon instance's reader, set on the JS thread once a load succeeds.
struct BpfReaderSlot {
  std::shared_ptr<const bpf::SocketReader> reader;
};

class BpfOpenWorker : public PromiseWorker {
 public:
  BpfOpenWorker(Napi::Env env, std::shared_ptr<BpfReaderSlot> slot);

 protected:
  void Execute() override;
  Napi::Value Settle(Napi::Env env) override;

 private:
  std::shared_ptr<BpfReaderSlot> slot_;
  std::shared_ptr<const bpf::SocketReader> loaded_;
  bool already_ = false;
  bpf::OpenFailure failure_;
};

class BpfReadWorker : public PromiseWorker {
 public:
  BpfReadWorker(Napi::Env env, std::shared_ptr<const bpf::SocketReader> reader, bool tcp, UniqueFd netns);

 protected:
  void Execute() override;
  Napi::Value Settle(Napi::Env env) override;

 private:
  std::shared_ptr<const bpf::SocketReader> reader_;
  bool tcp_;
  UniqueFd netns_;
  std::vector<uint8_t> records_;
  SystemFailure failure_;
  bool ok_ = false;
};

// A part-at-a-time read of one table (addon/cursor_handle.h).
struct BpfCursor {
  std::shared_ptr<const bpf::SocketReader> reader;
  bpf::SocketIteration iteration;
  bool busy = false;
};

Napi::Value open_bpf_cursor(Napi::Env env, std::shared_ptr<const bpf::SocketReader> reader, bool tcp, UniqueFd netns);
Napi::Value read_bpf_cursor(const Napi::CallbackInfo& info);

}  // namespace knetstat::addon

// The addon's entry point: a context-aware Napi::Addon (one instance per Node
// environment, so worker_threads each get their own; no mutable globals).
#include <napi.h>

#include "addon/bpf_workers.h"
#include "addon/coded_error.h"
#include "addon/dump_cursor_binding.h"
#include "addon/fd_scan_worker.h"
#include "addon/netns_binding.h"
#include "addon/sockopt_worker.h"
#include "addon/promise_worker.h"
#include "bpf/socket_record.h"
#include "diag/record_layout.h"
#include "pidfd/option_record.h"

// Without it, a Worker terminated mid-call aborts the whole process (binding.gyp).
#ifndef NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#error "build with NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS defined (binding.gyp does)"
#endif

namespace knetstat::addon {

class KnetstatAddon : public Napi::Addon<KnetstatAddon> {
 public:
  KnetstatAddon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
        InstanceValue("recordAbiVersion", Napi::Number::New(env, diag::record::kRecordAbiVersion),
                      napi_enumerable),
        // Fingerprint of the sources this binary was built from (binding.gyp), so tests
        // can tell a stale prebuild from a current one.
        InstanceValue("sourceHash", Napi::Number::New(env, KNETSTAT_SOURCE_HASH), napi_enumerable),
        InstanceMethod("scanProcFds", &KnetstatAddon::ScanProcFds),
        InstanceMethod("readSocketOptions", &KnetstatAddon::ReadSocketOptions),
        InstanceValue("optionAbiVersion", Napi::Number::New(env, pidfd::kOptionAbiVersion), napi_enumerable),
        // The netlink dump, pulled batch by batch (addon/dump_cursor_binding.h).
        InstanceMethod("openDumpCursor", &KnetstatAddon::OpenDumpCursor),
        InstanceMethod("readDumpCursor", &KnetstatAddon::ReadDumpCursor),
        InstanceMethod("closeDumpCursor", &KnetstatAddon::CloseDumpCursor),
        // The bpf options source (addon/bpf_workers.h).
        InstanceMethod("openBpfReader", &KnetstatAddon::OpenBpfReader),
        InstanceMethod("readBpfSockets", &KnetstatAddon::ReadBpfSockets),
        InstanceMethod("openBpfCursor", &KnetstatAddon::OpenBpfCursor),
        InstanceMethod("readBpfCursor", &KnetstatAddon::ReadBpfCursor),
        InstanceValue("bpfAbiVersion", Napi::Number::New(env, bpf::kSocketAbiVersion), napi_enumerable),
        // Other network namespaces (addon/netns_binding.h).
        InstanceMethod("openInNetns", &KnetstatAddon::OpenInNetns),
    });
  }

 private:
  Napi::Value OpenDumpCursor(const Napi::CallbackInfo& info) { return open_dump_cursor(info); }
  Napi::Value ReadDumpCursor(const Napi::CallbackInfo& info) { return read_dump_cursor(info); }
  Napi::Value CloseDumpCursor(const Napi::CallbackInfo& info) { return close_dump_cursor(info); }

  // scanProcFds(root?: string): Promise<{ fds, processes, commands, scanned }>
  Napi::Value ScanProcFds(const Napi::CallbackInfo& info) {
    std::string root = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string("/proc");
    return queue_worker<FdScanWorker>(info.Env(), std::move(root));
  }

  // openBpfReader(): Promise<{ hz: number }>
  Napi::Value OpenBpfReader(const Napi::CallbackInfo& info) { return queue_worker<BpfOpenWorker>(info.Env(), bpf_); }

  // readBpfSockets(tcp: boolean, netnsFd?: number): Promise<Buffer>
  Napi::Value ReadBpfSockets(const Napi::CallbackInfo& info) {
    if (!info[0].IsBoolean()) throw_type_error(info.Env(), "readBpfSockets(tcp): tcp must be a boolean");
    auto reader = opened_bpf_reader(info.Env());
    UniqueFd netns = read_netns_fd(info.Env(), info[1], "readBpfSockets");
    return queue_worker<BpfReadWorker>(info.Env(), std::move(reader), info[0].As<Napi::Boolean>().Value(), std::move(netns));
  }

  // openBpfCursor(tcp: boolean, netnsFd?: number): handle; readBpfCursor(handle, minRecords): Promise<{ records, done }>
  Napi::Value OpenBpfCursor(const Napi::CallbackInfo& info) {
    if (!info[0].IsBoolean()) throw_type_error(info.Env(), "openBpfCursor(tcp): tcp must be a boolean");
    auto reader = opened_bpf_reader(info.Env());
    UniqueFd netns = read_netns_fd(info.Env(), info[1], "openBpfCursor");
    return open_bpf_cursor(info.Env(), std::move(reader), info[0].As<Napi::Boolean>().Value(), std::move(netns));
  }

  // openInNetns(netnsFd: number, paths: string[]): number[]
  Napi::Value OpenInNetns(const Napi::CallbackInfo& info) { return open_in_netns(info); }
  Napi::Value ReadBpfCursor(const Napi::CallbackInfo& info) { return read_bpf_cursor(info); }

  std::shared_ptr<const bpf::SocketReader> opened_bpf_reader(Napi::Env env) {
    if (bpf_->reader == nullptr) {
      throw_coded(Napi::Error::New(env, "the bpf reader is used before openBpfReader resolved"), "ERR_KNETSTAT_BPF_NOT_OPEN");
    }
    return bpf_->reader;
  }

  // readSocketOptions(targets: Uint32Array): Promise<Buffer>
  Napi::Value ReadSocketOptions(const Napi::CallbackInfo& info) {
    return queue_worker<SockoptWorker>(info.Env(), SockoptWorker::read_targets(info[0]));
  }

  // This instance's socket programs, loaded by the first openBpfReader.
  std::shared_ptr<BpfReaderSlot> bpf_ = std::make_shared<BpfReaderSlot>();
};

}  // namespace knetstat::addon

// The registration macro pastes the class name into an identifier: no `::` allowed.
using knetstat::addon::KnetstatAddon;
NODE_API_ADDON(KnetstatAddon)

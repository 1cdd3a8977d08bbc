// scanProcFds(root): runs proc::scan_proc_fds on a worker thread and resolves with
// { fds: Buffer of uint32 (pid, fd, inode) triples, processes: Buffer of uint32
// (pid, errno) pairs, commands: string[], scanned: number }.
#pragma once

#include <napi.h>

#include <string>

#include "diag/dump_request.h"
#include "proc/fd_scan.h"

namespace knetstat::addon {

class FdScanWorker : public Napi::AsyncWorker {
 public:
  FdScanWorker(Napi::Env env, std::string root);

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  Napi::Promise::Deferred deferred_;
  std::string root_;
  proc::FdScan scan_;
  diag::DumpFailure failure_;
  bool ok_ = false;
};

}  // namespace knetstat::addon

// scanProcFds(root): runs proc::scan_proc_fds on a worker thread and resolves with
// { fds: Buffer of uint32 (pid, fd, inode) triples, processes: Buffer of uint32
// (pid, errno) pairs, commands: string[], scanned: number }.
#pragma once

#include <napi.h>

#include <string>

#include "addon/promise_worker.h"
#include "proc/fd_scan.h"
#include "util/system_failure.h"

namespace knetstat::addon {

class FdScanWorker : public PromiseWorker {
 public:
  FdScanWorker(Napi::Env env, std::string root);

 protected:
  void Execute() override;
  Napi::Value Settle(Napi::Env env) override;

 private:
  std::string root_;
  proc::FdScan scan_;
  SystemFailure failure_;
  bool ok_ = false;
};

}  // namespace knetstat::addon

// The pidfd reader borrows other processes' sockets into this process
// (pidfd_getfd) for the few syscalls it takes to read their options. A /proc scan
// running meanwhile (another listing, another Worker of this process) would see
// this process holding them and report it as a holder: wrong data. So borrowing and
// scanning this process's own fd directory exclude each other, process-wide: a
// borrow waits while the own directory is read, and the scan of it waits until no
// borrowed descriptor is open. Scans are preferred, so a stream of borrows on
// several threads cannot starve them; each borrow is a handful of syscalls.
//
// Only this process is covered: another knetstat process's borrows are outside it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace knetstat {

class BorrowGate {
 public:
  // One per process (the addon's shared object is loaded once, whatever the Workers).
  static BorrowGate& instance() {
    static BorrowGate gate;
    return gate;
  }

  // Held for as long as a borrowed descriptor is open.
  class Borrow {
   public:
    explicit Borrow(BorrowGate& gate) : gate_(gate) { gate_.begin_borrow(); }
    ~Borrow() { gate_.end_borrow(); }
    Borrow(const Borrow&) = delete;
    Borrow& operator=(const Borrow&) = delete;

   private:
    BorrowGate& gate_;
  };

  // Held while this process's own fd directory is read.
  class OwnScan {
   public:
    explicit OwnScan(BorrowGate& gate) : gate_(gate) { gate_.begin_scan(); }
    ~OwnScan() { gate_.end_scan(); }
    OwnScan(const OwnScan&) = delete;
    OwnScan& operator=(const OwnScan&) = delete;

   private:
    BorrowGate& gate_;
  };

 private:
  void begin_borrow() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return scans_waiting_or_running_ == 0; });
    borrowed_++;
  }
  void end_borrow() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--borrowed_ == 0) changed_.notify_all();
  }
  void begin_scan() {
    std::unique_lock<std::mutex> lock(mutex_);
    scans_waiting_or_running_++;
    changed_.wait(lock, [this] { return borrowed_ == 0; });
  }
  void end_scan() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--scans_waiting_or_running_ == 0) changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  size_t borrowed_ = 0;
  size_t scans_waiting_or_running_ = 0;
};

}  // namespace knetstat

// A pull-based sock_diag dump: the caller asks for the next batch of records, and
// the kernel only continues the dump as datagrams are read, so a slow reader holds
// at most one batch plus the socket's receive queue, however many sockets exist.
// The requests are dumped one after the other over one DiagTransport, which the
// cursor opens through its TransportOpener on the first read (no I/O before): a
// netlink socket in the addon, a scripted transport in tests. Blocking; the addon
// calls next() on a worker thread. Pure C++, no N-API.
//
// An NLM_F_DUMP_INTR dump is not retried here (records already handed out cannot be
// taken back): interrupted() says so and the caller decides (a listing is read again
// by src/sources/netlink/list.ts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "diag/diag_transport.h"
#include "diag/dump_request.h"
#include "util/byte_buffer.h"
#include "util/system_failure.h"

namespace knetstat::diag {

class DumpCursor {
 public:
  DumpCursor(std::vector<DumpRequest> requests, TransportOpener open)
      : requests_(std::move(requests)), open_(std::move(open)) {}
  DumpCursor(const DumpCursor&) = delete;
  DumpCursor& operator=(const DumpCursor&) = delete;

  // Appends records to `out` until at least `min_bytes` were appended or the last
  // request's dump ended; a datagram is never split. Opens the transport on the first
  // call and closes it when the last dump ends or on failure. Returns false and fills
  // `failure` on failure (the cursor is then done). Throws std::bad_alloc.
  bool next(size_t min_bytes, ByteBuffer& out, SystemFailure& failure);

  // Every request was dumped (or the cursor failed or was closed): next() appends nothing.
  bool done() const { return done_; }
  // Some message of some dump so far carried NLM_F_DUMP_INTR.
  bool interrupted() const { return interrupted_; }
  // Whether the transport is open now.
  bool open() const { return transport_ != nullptr; }
  // Closes the transport and ends the cursor; idempotent.
  void close();

 private:
  bool send_request(const DumpRequest& request, SystemFailure& failure);

  std::vector<DumpRequest> requests_;
  TransportOpener open_;
  std::unique_ptr<DiagTransport> transport_;  // null while closed
  std::vector<uint8_t> buffer_;
  size_t index_ = 0;     // the request being dumped
  bool sent_ = false;    // its request went out
  bool done_ = false;
  bool interrupted_ = false;
  uint32_t seq_ = 0;
};

}  // namespace knetstat::diag

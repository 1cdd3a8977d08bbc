#include "diag/sock_diag_dump.h"

#include <cerrno>
#include <new>

#include "diag/dump_session.h"
#include "diag/failure_message.h"
#include "diag/netlink_transport.h"

namespace knetstat::diag {

bool dump_sockets(const std::vector<DumpRequest>& requests, ByteBuffer& records, SystemFailure& failure) {
  try {
    NetlinkTransport transport;  // closes the socket on every way out
    if (const int error = transport.open()) {
      failure = make_failure(error, "socket", nullptr);
      return false;
    }
    return run_dumps(transport, requests, records, failure);
  } catch (const std::bad_alloc&) {
    records = ByteBuffer();  // give the memory back before building the message
    failure = make_failure(ENOMEM, "recvmsg", nullptr);
    return false;
  }
}

}  // namespace knetstat::diag

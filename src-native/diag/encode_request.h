// A DumpRequest as the netlink message that asks the kernel for it: SOCK_DIAG_BY_FAMILY
// with struct inet_diag_req_v2 for one family, or, for family 0 (TCP only), the
// compatibility request TCPDIAG_GETSOCK with struct inet_diag_req, which the kernel
// dumps as AF_UNSPEC: TCP of both families in one walk of its tables (a request per
// family walks every socket twice). Pure: no I/O.
#pragma once

#include <cstdint>
#include <vector>

#include "diag/dump_request.h"
#include "util/system_failure.h"

namespace knetstat::diag {

// Writes the NLM_F_REQUEST | NLM_F_DUMP message for `request`, with sequence number
// `seq`, into `message`. Returns false and fills `failure` (EINVAL, as from sendmsg)
// when no message can carry the request: bytecode longer than a netlink attribute
// holds, or family 0 with a protocol other than TCP.
bool encode_request(const DumpRequest& request, uint32_t seq, std::vector<uint8_t>& message, SystemFailure& failure);

// The nlmsg_type of the replies that carry the request's sockets: its own type.
uint16_t reply_type(const DumpRequest& request);

}  // namespace knetstat::diag

#include "diag/encode_request.h"

#include <cerrno>
#include <cstring>

#include "diag/bytes.h"
#include "diag/failure_message.h"
#include "diag/inet_diag_abi.h"

namespace knetstat::diag {
namespace {

bool both_families(const DumpRequest& request) { return request.family == 0; }

}  // namespace

uint16_t reply_type(const DumpRequest& request) {
  return both_families(request) ? abi::kTcpDiagGetSock : abi::kSockDiagByFamily;
}

bool encode_request(const DumpRequest& request, uint32_t seq, std::vector<uint8_t>& message, SystemFailure& failure) {
  if (request.bytecode.size() > UINT16_MAX - abi::kAttrHeaderSize) {
    failure = make_failure(EINVAL, "sendmsg", &request, "bytecode longer than a netlink attribute can carry");
    return false;
  }
  const bool both = both_families(request);
  if (both && request.protocol != abi::kProtocolTcp) {
    failure = make_failure(EINVAL, "sendmsg", &request, "only TCP can be dumped for both families at once");
    return false;
  }
  const size_t request_size = both ? abi::kReqV1Size : abi::kReqV2Size;
  const size_t bytecode_attr = request.bytecode.empty() ? 0 : abi::kAttrHeaderSize + request.bytecode.size();
  const size_t length = abi::kNlmsgHeaderSize + request_size + align_up(bytecode_attr, abi::kAttrAlignTo);
  message.assign(length, 0);
  uint8_t* header = message.data();
  store<uint32_t>(header + abi::kNlmsgLenOffset, static_cast<uint32_t>(length));
  store<uint16_t>(header + abi::kNlmsgTypeOffset, reply_type(request));
  store<uint16_t>(header + abi::kNlmsgFlagsOffset, abi::kNlmFlagRequest | abi::kNlmFlagDump);
  store<uint32_t>(header + abi::kNlmsgSeqOffset, seq);
  // The sockid stays zero: match every socket.
  uint8_t* req = header + abi::kNlmsgHeaderSize;
  if (both) {
    req[abi::kReqV1Family] = abi::kFamilyInet;  // ignored by dumps, which take every family
    req[abi::kReqV1Ext] = request.extensions;
    store<uint32_t>(req + abi::kReqV1States, request.states);
  } else {
    req[abi::kReqV2Family] = request.family;
    req[abi::kReqV2Protocol] = request.protocol;
    req[abi::kReqV2Ext] = request.extensions;
    store<uint32_t>(req + abi::kReqV2States, request.states);
  }
  if (bytecode_attr) {
    uint8_t* attr = req + request_size;
    store<uint16_t>(attr, static_cast<uint16_t>(bytecode_attr));
    store<uint16_t>(attr + 2, abi::kReqAttrBytecode);
    std::memcpy(attr + abi::kAttrHeaderSize, request.bytecode.data(), request.bytecode.size());
  }
  return true;
}

}  // namespace knetstat::diag

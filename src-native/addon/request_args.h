// Converts the JS DumpRequest[] argument into diag::DumpRequest values, throwing a
// TypeError/RangeError (with Node's ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE code) for
// values that cannot be sent to the kernel at all. Whether a family/protocol is
// supported is left to the kernel, which answers with an errno.
#pragma once

#include <napi.h>

#include <vector>

#include "diag/dump_request.h"

namespace knetstat::addon {

std::vector<diag::DumpRequest> read_dump_requests(const Napi::Value& value);

// The bytes of a Buffer/Uint8Array argument; throws a TypeError otherwise.
Napi::Uint8Array read_bytes(const Napi::Value& value, const char* name);

}  // namespace knetstat::addon

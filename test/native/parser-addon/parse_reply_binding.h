// parseReply(bytes, protocol): runs the production reply parser (src-native/diag/
// parse_reply.cc) synchronously over crafted netlink bytes, so tests can check it
// and decode its records without a kernel. Test-only: part of the test addon
// (binding.gyp here), never of the shipped knetstat.node.
#pragma once

#include <napi.h>

namespace knetstat::addon {

Napi::Value parse_reply_binding(const Napi::CallbackInfo& info);

}  // namespace knetstat::addon

// parseReplyForTest(bytes, protocol): runs the pure reply parser synchronously over
// crafted netlink bytes so tests can check it without a kernel.
#pragma once

#include <napi.h>

namespace knetstat::addon {

Napi::Value parse_reply_for_test(const Napi::CallbackInfo& info);

}  // namespace knetstat::addon

// The test addon's entry point (knetstat_parser_testing.node, binding.gyp here): the
// production reply parser, callable from tests. Never shipped; test/helpers/
// parser-addon.ts builds it on demand. Context-aware like the real addon.
#include <napi.h>

#include "diag/record_layout.h"
#include "parse_reply_binding.h"

#ifndef NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#error "build with NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS defined, as the real addon is (binding.gyp)"
#endif

namespace knetstat::addon {

class ParserTestingAddon : public Napi::Addon<ParserTestingAddon> {
 public:
  ParserTestingAddon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
        // parseReply(bytes: Uint8Array, protocol?: number): ParseReplyResult
        InstanceMethod("parseReply", &ParserTestingAddon::ParseReply),
        // The record layout this build writes, for the helper to check against the decoder's.
        InstanceValue("recordAbiVersion", Napi::Number::New(env, diag::record::kRecordAbiVersion),
                      napi_enumerable),
    });
  }

 private:
  Napi::Value ParseReply(const Napi::CallbackInfo& info) { return parse_reply_binding(info); }
};

}  // namespace knetstat::addon

using knetstat::addon::ParserTestingAddon;
NODE_API_ADDON(ParserTestingAddon)

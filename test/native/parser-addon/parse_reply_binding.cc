#include "parse_reply_binding.h"

#include "addon/coded_error.h"
#include "addon/record_buffer.h"
#include "addon/request_args.h"
#include "diag/parse_reply.h"
#include "util/errno_name.h"

namespace knetstat::addon {
namespace {

const char* end_name(diag::ReplyEnd end) {
  switch (end) {
    case diag::ReplyEnd::kDone:
      return "done";
    case diag::ReplyEnd::kError:
      return "error";
    case diag::ReplyEnd::kNeedMore:
    default:
      return "more";
  }
}

}  // namespace

Napi::Value parse_reply_binding(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array bytes = read_bytes(info[0], "bytes");
  diag::ParseOptions options;
  if (info.Length() > 1 && info[1].IsNumber()) {
    const uint32_t protocol = info[1].As<Napi::Number>().Uint32Value();
    if (protocol > 255) throw_range_error(env, "protocol must be an integer from 0 to 255");
    options.protocol = static_cast<uint8_t>(protocol);
  }

  ByteBuffer records;
  const diag::ParseResult result = diag::parse_reply(bytes.Data(), bytes.ElementLength(), options, records);

  Napi::Object out = Napi::Object::New(env);
  out.Set("end", Napi::String::New(env, end_name(result.end)));
  out.Set("records", to_buffer(env, std::move(records)));
  out.Set("recordCount", Napi::Number::New(env, result.records));
  out.Set("skipped", Napi::Number::New(env, result.skipped));
  out.Set("interrupted", Napi::Boolean::New(env, result.interrupted));
  if (result.end == diag::ReplyEnd::kError) {
    out.Set("errno", Napi::Number::New(env, -result.error));
    out.Set("code", Napi::String::New(env, errno_name(result.error)));
  }
  if (result.detail) out.Set("detail", Napi::String::New(env, result.detail));
  return out;
}

}  // namespace knetstat::addon

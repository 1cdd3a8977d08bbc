#include "addon/system_error.h"

#include "util/errno_name.h"

namespace knetstat::addon {

Napi::Error make_system_error(Napi::Env env, const SystemFailure& failure) {
  Napi::Error error = Napi::Error::New(env, failure.message);
  Napi::Object object = error.Value();
  object.Set("code", Napi::String::New(env, errno_name(failure.error)));
  object.Set("errno", Napi::Number::New(env, -failure.error));
  object.Set("syscall", Napi::String::New(env, failure.syscall));
  return error;
}

}  // namespace knetstat::addon

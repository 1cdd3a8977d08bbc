#include "addon/coded_error.h"

namespace knetstat::addon {

void throw_coded(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  throw error;
}

void throw_type_error(Napi::Env env, const std::string& message) {
  throw_coded(Napi::TypeError::New(env, message), "ERR_INVALID_ARG_TYPE");
}

void throw_range_error(Napi::Env env, const std::string& message) {
  throw_coded(Napi::RangeError::New(env, message), "ERR_OUT_OF_RANGE");
}

}  // namespace knetstat::addon

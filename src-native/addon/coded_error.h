// Errors thrown synchronously to JS with a `code`, as Node core's are: a TypeError
// coded ERR_INVALID_ARG_TYPE, a RangeError coded ERR_OUT_OF_RANGE, or any Error with
// a code of knetstat's own. The one place a code is set on an error before a throw.
#pragma once

#include <napi.h>

#include <string>

namespace knetstat::addon {

// Sets `code` on `error` and throws it.
[[noreturn]] void throw_coded(Napi::Error error, const char* code);
// A TypeError coded ERR_INVALID_ARG_TYPE: the argument is not of the type asked for.
[[noreturn]] void throw_type_error(Napi::Env env, const std::string& message);
// A RangeError coded ERR_OUT_OF_RANGE: the argument's value is out of its range.
[[noreturn]] void throw_range_error(Napi::Env env, const std::string& message);

}  // namespace knetstat::addon

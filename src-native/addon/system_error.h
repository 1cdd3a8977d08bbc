// The one place a SystemFailure (util/system_failure.h) becomes a JS Error: what a
// failed dump read, /proc scan or option read rejects with, shaped like Node core
// system errors: message, code ('EPERM'), errno (negative), syscall.
#pragma once

#include <napi.h>

#include "util/system_failure.h"

namespace knetstat::addon {

Napi::Error make_system_error(Napi::Env env, const SystemFailure& failure);

}  // namespace knetstat::addon

// Builds the JS Error a failed dump rejects with, shaped like Node core system
// errors: message, code ('EPERM'), errno (negative), syscall.
#pragma once

#include <napi.h>

#include "diag/dump_request.h"

namespace knetstat::addon {

Napi::Error make_system_error(Napi::Env env, const diag::DumpFailure& failure);

}  // namespace knetstat::addon

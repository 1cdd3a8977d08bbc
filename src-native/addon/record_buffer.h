// Hands bytes built on a worker thread to JS as a Buffer without copying: the
// Buffer's finalizer frees them.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include "util/byte_buffer.h"

namespace knetstat::addon {

Napi::Buffer<uint8_t> to_buffer(Napi::Env env, ByteBuffer&& bytes);
Napi::Buffer<uint8_t> to_buffer(Napi::Env env, std::vector<uint8_t>&& bytes);

}  // namespace knetstat::addon

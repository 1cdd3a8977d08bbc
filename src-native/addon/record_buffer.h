// Hands a std::vector's bytes to JS as a Buffer without copying: the vector moves to
// the heap and is freed by the Buffer's finalizer.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

namespace knetstat::addon {

Napi::Buffer<uint8_t> to_buffer(Napi::Env env, std::vector<uint8_t>&& bytes);

}  // namespace knetstat::addon

#include "addon/record_buffer.h"

#include <cstdlib>

namespace knetstat::addon {

Napi::Buffer<uint8_t> to_buffer(Napi::Env env, ByteBuffer&& bytes) {
  if (bytes.empty()) return Napi::Buffer<uint8_t>::New(env, 0);
  const size_t size = bytes.size();
  const int64_t held = static_cast<int64_t>(size);
  uint8_t* data = bytes.release();
  // NewOrCopy copies (and runs the finalizer at once) where a runtime forbids
  // external buffers, e.g. under a V8 sandbox.
  Napi::Buffer<uint8_t> buffer;
  try {
    buffer = Napi::Buffer<uint8_t>::NewOrCopy(env, data, size, [held](Napi::Env finalize_env, uint8_t* block) {
      std::free(block);
      Napi::MemoryManagement::AdjustExternalMemory(finalize_env, -held);
    });
  } catch (const Napi::Error&) {
    // Refused (e.g. the environment is being torn down): no finalizer will free it.
    std::free(data);
    throw;
  }
  // Tell the GC about the memory it cannot see, so big dumps are collected promptly.
  Napi::MemoryManagement::AdjustExternalMemory(env, held);
  return buffer;
}

Napi::Buffer<uint8_t> to_buffer(Napi::Env env, std::vector<uint8_t>&& bytes) {
  if (bytes.empty()) return Napi::Buffer<uint8_t>::New(env, 0);
  auto* storage = new std::vector<uint8_t>(std::move(bytes));
  const int64_t held = static_cast<int64_t>(storage->capacity());
  Napi::Buffer<uint8_t> buffer;
  try {
    buffer = Napi::Buffer<uint8_t>::NewOrCopy(
        env, storage->data(), storage->size(),
        [held](Napi::Env finalize_env, uint8_t*, std::vector<uint8_t>* owned) {
          delete owned;
          Napi::MemoryManagement::AdjustExternalMemory(finalize_env, -held);
        },
        storage);
  } catch (const Napi::Error&) {
    delete storage;  // as above
    throw;
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, held);
  return buffer;
}

}  // namespace knetstat::addon

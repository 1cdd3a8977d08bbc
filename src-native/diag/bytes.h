// Unaligned, bounds-agnostic loads and stores in host byte order (memcpy, so no
// alignment traps or strict-aliasing UB). Callers check bounds before calling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace knetstat::diag {

template <typename T>
inline T load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

template <typename T>
inline void store(uint8_t* p, T value) {
  std::memcpy(p, &value, sizeof value);
}

inline uint16_t load_be16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

constexpr size_t align_up(size_t n, size_t to) { return (n + to - 1) & ~(to - 1); }

}  // namespace knetstat::diag

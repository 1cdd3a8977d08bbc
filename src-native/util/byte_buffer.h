// A growable byte buffer on malloc/realloc. Unlike std::vector it grows in place:
// glibc moves big (mmap'ed) blocks with mremap, so megabytes of records are never
// copied or page-faulted in twice while a dump grows. release() hands the block to
// an owner that frees it with std::free (the JS Buffer's finalizer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

namespace knetstat {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ByteBuffer(ByteBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    if (this != &other) {
      std::free(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  ~ByteBuffer() { std::free(data_); }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Appends `count` uninitialized bytes and returns where they start. Throws std::bad_alloc.
  uint8_t* grow(size_t count) {
    if (count > capacity_ - size_) reserve_for(count);
    uint8_t* start = data_ + size_;
    size_ += count;
    return start;
  }

  // Gives up ownership of the block (free it with std::free); the buffer becomes empty.
  uint8_t* release() {
    size_ = 0;
    capacity_ = 0;
    return std::exchange(data_, nullptr);
  }

 private:
  static constexpr size_t kInitialCapacity = 64 * 1024;

  void reserve_for(size_t count) {
    if (count > SIZE_MAX / 2 - size_) throw std::bad_alloc();
    size_t capacity = capacity_ ? capacity_ : kInitialCapacity;
    while (capacity - size_ < count) capacity *= 2;
    void* grown = std::realloc(data_, capacity);
    if (!grown) throw std::bad_alloc();
    data_ = static_cast<uint8_t*>(grown);
    capacity_ = capacity;
  }

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace knetstat

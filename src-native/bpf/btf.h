// Reads the kernel's own type information (/sys/kernel/btf/vmlinux): where a field
// of a kernel structure lies on the running kernel, the value of an enumerator,
// and the type id of a function. The bpf source reads sockets with offsets found
// here instead of compiled-in ones (socket_layout.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace knetstat::bpf {

// A field as a bit range of its structure.
struct FieldBits {
  uint32_t bit_offset = 0;  // from the start of the structure
  uint32_t bit_size = 0;    // the field's width in bits (a bitfield's, or 8 * its type's size)
  bool bitfield = false;
};

class Btf {
 public:
  // Parses a raw BTF blob (the contents of /sys/kernel/btf/vmlinux). Malformed
  // input gives an empty Btf and `error()` says why; it never reads out of bounds.
  explicit Btf(std::vector<uint8_t> blob);

  const std::string& error() const { return error_; }
  bool ok() const { return error_.empty(); }

  // The id of the named type of a BTF kind (e.g. kStruct "sock"); none if absent.
  std::optional<uint32_t> find(uint32_t kind, std::string_view name) const;
  // `path` is "member" or "member.member..." inside struct/union `type_name`;
  // anonymous structs and unions are searched through, as C does.
  std::optional<FieldBits> field(std::string_view type_name, std::string_view path) const;
  // The value of an enumerator, from whichever enum declares it.
  std::optional<int64_t> enumerator(std::string_view name) const;

  static constexpr uint32_t kStruct = 4;
  static constexpr uint32_t kFunc = 12;

 private:
  struct Type {
    uint32_t name_off;
    uint32_t info;
    uint32_t size_or_type;
    size_t data;  // offset of the kind-specific data in blob_
  };
  std::string_view name(uint32_t off) const;
  bool name_is(uint32_t off, std::string_view want) const;
  uint32_t kind(const Type& t) const { return (t.info >> 24) & 0x1f; }
  uint32_t vlen(const Type& t) const { return t.info & 0xffff; }
  const Type* type(uint32_t id) const;
  const Type* resolve(uint32_t id) const;  // through typedefs and qualifiers
  std::optional<uint64_t> size_of(uint32_t id) const;
  struct Member {
    FieldBits bits;
    uint32_t type;  // the member's type id
  };
  // Types already searched in one lookup: each is searched once, whatever the input.
  using Seen = std::unordered_set<const Type*>;
  std::optional<Member> member(const Type& t, std::string_view name, int depth, Seen& seen) const;
  uint32_t u32(size_t at) const;

  std::vector<uint8_t> blob_;
  std::vector<Type> types_;  // types_[id - 1]
  size_t strings_ = 0;
  size_t strings_len_ = 0;
  std::unordered_map<std::string_view, std::vector<uint32_t>> by_name_;
  std::string error_;
};

}  // namespace knetstat::bpf

// The BTF format: Documentation/bpf/btf.rst of the kernel (include/uapi/linux/btf.h).
#include "bpf/btf.h"

#include <algorithm>
#include <cstring>

namespace knetstat::bpf {

namespace {

constexpr uint16_t kMagic = 0xeB9F;
constexpr size_t kHeaderBytes = 24;
// The kernel's KSYM_NAME_LEN: no BTF name is longer, so no name lookup reads further.
constexpr size_t kMaxName = 512;
// A field's size in bits is a uint32_t: bigger types are not fields knetstat reads.
constexpr uint64_t kMaxBytes = UINT32_MAX / 8;

// Kinds and the bytes of kind-specific data each carries after its btf_type.
enum Kind : uint32_t {
  kInt = 1, kPtr, kArray, kStructKind, kUnion, kEnum, kFwd, kTypedef, kVolatile, kConst,
  kRestrict, kFuncKind, kFuncProto, kVar, kDatasec, kFloat, kDeclTag, kTypeTag, kEnum64,
};

}  // namespace

uint32_t Btf::u32(size_t at) const {
  uint32_t v;
  std::memcpy(&v, blob_.data() + at, 4);
  return v;
}

Btf::Btf(std::vector<uint8_t> blob) : blob_(std::move(blob)) {
  auto fail = [this](const char* why) {
    error_ = why;
    types_.clear();
    by_name_.clear();
  };
  if (blob_.size() < kHeaderBytes) { fail("shorter than a BTF header"); return; }
  uint16_t magic;
  std::memcpy(&magic, blob_.data(), 2);
  if (magic != kMagic) { fail("not BTF (bad magic, or another byte order)"); return; }
  uint32_t hdr_len = u32(4), type_off = u32(8), type_len = u32(12), str_off = u32(16), str_len = u32(20);
  uint64_t types_start = uint64_t(hdr_len) + type_off, types_end = types_start + type_len;
  uint64_t str_start = uint64_t(hdr_len) + str_off, str_end = str_start + str_len;
  if (hdr_len < kHeaderBytes || types_end > blob_.size() || str_end > blob_.size()) { fail("sections out of bounds"); return; }
  // As the kernel checks: every name ends within the section.
  if (str_len == 0 || blob_[str_end - 1] != 0) { fail("string section does not end with a NUL"); return; }
  strings_ = str_start;
  strings_len_ = str_len;
  size_t at = types_start;
  while (at < types_end) {
    if (types_end - at < 12) { fail("truncated type"); return; }
    Type t{u32(at), u32(at + 4), u32(at + 8), at + 12};
    uint64_t extra = 0, n = vlen(t);
    switch (kind(t)) {
      case kInt: case kVar: case kDeclTag: extra = 4; break;
      case kArray: extra = 12; break;
      case kStructKind: case kUnion: case kDatasec: case kEnum64: extra = 12 * n; break;
      case kEnum: case kFuncProto: extra = 8 * n; break;
      case kPtr: case kFwd: case kTypedef: case kVolatile: case kConst: case kRestrict:
      case kFuncKind: case kFloat: case kTypeTag: break;
      default: { fail("unknown type kind (BTF newer than this reader)"); return; }
    }
    if (types_end - t.data < extra) { fail("truncated type data"); return; }
    types_.push_back(t);
    at = t.data + extra;
  }
  for (size_t i = 0; i < types_.size(); i++) {
    std::string_view n = name(types_[i].name_off);
    uint32_t k = kind(types_[i]);
    // Only what lookups ask for: indexing every name costs more than the parse.
    if (!n.empty() && (k == kStructKind || k == kFuncKind)) by_name_[n].push_back(uint32_t(i + 1));
  }
}

std::string_view Btf::name(uint32_t off) const {
  if (off >= strings_len_) return {};
  const char* s = reinterpret_cast<const char*>(blob_.data() + strings_ + off);
  // A longer run of bytes is not a name; cut, it matches no name looked up.
  return std::string_view(s, strnlen(s, std::min<size_t>(strings_len_ - off, kMaxName + 1)));
}

// name(off) == want, reading no more than want's bytes and its NUL.
bool Btf::name_is(uint32_t off, std::string_view want) const {
  if (off >= strings_len_) return want.empty();
  if (strings_len_ - off <= want.size()) return false;
  const char* s = reinterpret_cast<const char*>(blob_.data() + strings_ + off);
  return (want.empty() || std::memcmp(s, want.data(), want.size()) == 0) && s[want.size()] == '\0';
}

const Btf::Type* Btf::type(uint32_t id) const {
  return id >= 1 && id <= types_.size() ? &types_[id - 1] : nullptr;
}

const Btf::Type* Btf::resolve(uint32_t id) const {
  for (int hops = 0; hops < 32; hops++) {
    const Type* t = type(id);
    if (t == nullptr) return nullptr;
    switch (kind(*t)) {
      case kTypedef: case kVolatile: case kConst: case kRestrict: case kTypeTag:
        id = t->size_or_type;
        continue;
      default:
        return t;
    }
  }
  return nullptr;  // a loop of qualifiers: malformed
}

// At most kMaxBytes; arrays of arrays are followed as far as qualifiers are, so an
// array of itself ends too.
std::optional<uint64_t> Btf::size_of(uint32_t id) const {
  uint64_t count = 1;  // elements of the arrays gone through
  for (int hops = 0; hops < 32; hops++) {
    const Type* t = resolve(id);
    if (t == nullptr) return std::nullopt;
    uint64_t bytes;
    switch (kind(*t)) {
      case kInt: case kStructKind: case kUnion: case kEnum: case kEnum64: case kFloat:
        bytes = t->size_or_type;
        break;
      case kPtr:
        bytes = sizeof(void*);
        break;
      case kArray:
        count *= u32(t->data + 8);  // both factors below 2^32: no overflow
        if (count > kMaxBytes) return std::nullopt;
        id = u32(t->data);
        continue;
      default:
        return std::nullopt;
    }
    if (count * bytes > kMaxBytes) return std::nullopt;
    return count * bytes;
  }
  return std::nullopt;
}

std::optional<uint32_t> Btf::find(uint32_t kind_wanted, std::string_view n) const {
  auto it = by_name_.find(n);
  if (it == by_name_.end()) return std::nullopt;
  for (uint32_t id : it->second)
    if (kind(*type(id)) == kind_wanted) return id;
  return std::nullopt;
}

std::optional<Btf::Member> Btf::member(const Type& t, std::string_view want, int depth, Seen& seen) const {
  if ((kind(t) != kStructKind && kind(t) != kUnion) || depth > 8) return std::nullopt;
  // Searched already, in vain: anonymous members of one type (or of the type
  // itself) would otherwise multiply the search, vlen^depth.
  if (!seen.insert(&t).second) return std::nullopt;
  bool kind_flag = (t.info >> 31) != 0;
  for (uint32_t i = 0; i < vlen(t); i++) {
    size_t m = t.data + 12 * size_t(i);
    uint32_t name_off = u32(m), member_type = u32(m + 4), offset = u32(m + 8);
    uint32_t bit_offset = kind_flag ? offset & 0xffffff : offset;
    uint32_t bitfield_size = kind_flag ? offset >> 24 : 0;
    if (name_is(name_off, want)) {
      auto bytes = size_of(member_type);
      if (!bytes) return std::nullopt;
      if (bitfield_size != 0) return Member{{bit_offset, bitfield_size, true}, member_type};
      return Member{{bit_offset, uint32_t(*bytes * 8), false}, member_type};
    }
    if (name_is(name_off, {})) {
      // An anonymous struct or union: its members are the outer structure's.
      const Type* inner = resolve(member_type);
      if (inner == nullptr) continue;
      if (auto found = member(*inner, want, depth + 1, seen)) {
        if (uint64_t(found->bits.bit_offset) + bit_offset > UINT32_MAX) return std::nullopt;
        found->bits.bit_offset += bit_offset;
        return found;
      }
    }
  }
  return std::nullopt;
}

std::optional<FieldBits> Btf::field(std::string_view type_name, std::string_view path) const {
  auto id = find(kStruct, type_name);
  if (!id) return std::nullopt;
  const Type* t = type(*id);
  uint32_t base = 0;
  while (true) {
    size_t dot = path.find('.');
    if (dot == 0 || path.empty()) return std::nullopt;  // "", ".x", "x..y": anonymous members have no path
    Seen seen;
    auto m = member(*t, path.substr(0, dot), 0, seen);
    if (!m || uint64_t(m->bits.bit_offset) + base > UINT32_MAX) return std::nullopt;
    m->bits.bit_offset += base;
    if (dot == std::string_view::npos) return m->bits;
    path.remove_prefix(dot + 1);
    base = m->bits.bit_offset;
    t = resolve(m->type);
    if (t == nullptr) return std::nullopt;
  }
}

std::optional<int64_t> Btf::enumerator(std::string_view want) const {
  for (const Type& t : types_) {
    if (kind(t) == kEnum) {
      for (uint32_t i = 0; i < vlen(t); i++) {
        size_t e = t.data + 8 * size_t(i);
        if (name_is(u32(e), want)) return int32_t(u32(e + 4));
      }
    } else if (kind(t) == kEnum64) {
      for (uint32_t i = 0; i < vlen(t); i++) {
        size_t e = t.data + 12 * size_t(i);
        if (name_is(u32(e), want)) return int64_t(uint64_t(u32(e + 4)) | uint64_t(u32(e + 8)) << 32);
      }
    }
  }
  return std::nullopt;
}

}  // namespace knetstat::bpf

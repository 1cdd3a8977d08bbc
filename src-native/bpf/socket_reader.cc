#include "bpf/socket_reader.h"

#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <unordered_map>

#include "bpf/bpf_syscall.h"
#include "bpf/patch_ids.h"
#include "bpf/socket_record.h"
#include "netns/in_netns.h"
#include "util/out_of_descriptors.h"

namespace knetstat::bpf {

namespace {

#include "bpf/socket_fields.bpf.inc"

constexpr const char* kVmlinuxBtf = "/sys/kernel/btf/vmlinux";

// Out of descriptors says nothing about BPF: the message says so, and what to do.
std::string with_advice(int error, std::string message) {
  if (out_of_descriptors(error)) message += std::string(". No file descriptor is free: ") + kOutOfDescriptorsAdvice;
  return message;
}
constexpr uint8_t kLdImm64 = 0x18;  // BPF_LD | BPF_IMM | BPF_DW

bool read_file(const char* path, std::vector<uint8_t>& out, int& error) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    error = errno;
    return false;
  }
  uint8_t chunk[1 << 16];
  while (true) {
    ssize_t n = ::read(fd.get(), chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
      return false;
    }
    if (n == 0) return true;
    out.insert(out.end(), chunk, chunk + n);
    // vmlinux BTF is a few MB; a file beyond this is not one.
    if (out.size() > (64u << 20)) {
      error = EFBIG;
      return false;
    }
  }
}

bool locked_down() {
  std::ifstream f("/sys/kernel/security/lockdown");
  std::string line;
  std::getline(f, line);
  return line.find("[integrity]") != std::string::npos || line.find("[confidentiality]") != std::string::npos;
}

// The program with each KNS_PATCH_ID immediate replaced by the layout's value.
bool patch(const uint64_t* code, size_t count, const SocketLayout& l, std::vector<uint64_t>& out, std::string& why) {
  out.assign(code, code + count);
  for (size_t i = 0; i + 1 < out.size(); i++) {
    if ((out[i] & 0xff) != kLdImm64) continue;
    uint64_t imm = (out[i] >> 32) | (out[i + 1] & 0xffffffff00000000ULL);
    if ((imm >> 16) != (KNS_PATCH_MAGIC >> 16)) {
      i++;
      continue;
    }
    unsigned what = (imm >> 8) & 0xff, index = imm & 0xff;
    uint64_t value;
    bool span = index < KNS_MAX_SPANS, deref = index < KNS_MAX_DEREFS;
    switch (what) {
      case KNS_SPAN_COUNT: value = l.span_count; break;
      case KNS_SPAN_DST: if (!span) goto unknown; value = l.spans[index].dst; break;
      case KNS_SPAN_LEN: if (!span) goto unknown; value = l.spans[index].len; break;
      case KNS_SPAN_SRC: if (!span) goto unknown; value = l.spans[index].src; break;
      case KNS_DEREF_ON: if (!deref) goto unknown; value = l.deref_on[index]; break;
      case KNS_DEREF_PTR: if (!deref) goto unknown; value = l.derefs[index].ptr; break;
      case KNS_DEREF_OFF: if (!deref) goto unknown; value = l.derefs[index].off; break;
      case KNS_DEREF_LEN: if (!deref) goto unknown; value = l.derefs[index].len; break;
      case KNS_DEREF_DST: if (!deref) goto unknown; value = l.derefs[index].dst; break;
      case KNS_RECORD_LEN: value = l.record_len; break;
      case KNS_STATE_AT: value = l.state_at < 0 ? uint64_t(KNS_RECORD_MAX) : uint64_t(l.state_at); break;
      default:
      unknown:
        why = "the program asks for an unknown constant " + std::to_string(what) + "/" + std::to_string(index);
        return false;
    }
    // A span the layout does not use copies nothing: length 0 would be refused.
    if (what == KNS_SPAN_LEN && value == 0) value = 1;
    out[i] = (out[i] & 0xffffffffULL) | (value << 32);
    out[i + 1] = (out[i + 1] & 0xffffffffULL) | (value & 0xffffffff00000000ULL);
    i++;
  }
  return true;
}

double flag(uint64_t word, int bit) { return bit >= 0 ? double((word >> bit) & 1) : NAN; }

// BPF_JMP | BPF_CALL of bpf_get_socket_cookie, and what replaces it where tracing
// programs lack it (before 5.12): BPF_ALU64 | BPF_MOV | BPF_K, r0 = 0.
constexpr uint64_t kCallSocketCookie = 0x0000002e00000085ULL;
constexpr uint64_t kZeroR0 = 0x00000000000000b7ULL;

void drop_cookie_helper(std::vector<uint64_t>& insns) {
  for (uint64_t& insn : insns)
    if (insn == kCallSocketCookie) insn = kZeroR0;
}

// The cookie: the one the program asked the kernel for, else the field (which is 0
// until a netlink dump, SO_COOKIE or the like gave the socket one).
uint64_t cookie_of(const SocketLayout& l, const uint8_t* raw) {
  uint64_t asked;
  std::memcpy(&asked, raw, sizeof(asked));
  return asked != 0 ? asked : read_field(l, raw, Field::kCookie);
}

}  // namespace

std::unique_ptr<SocketReader> SocketReader::open(OpenFailure& failure) {
  auto fail = [&](const char* cause, int error, const char* syscall, std::string message) {
    failure.cause = cause;
    failure.error = error;
    failure.syscall = syscall;
    failure.message = with_advice(error, std::move(message));
    // Running out of descriptors is this process's state, not the kernel's answer.
    if (out_of_descriptors(error)) failure.cause = "failed";
    return nullptr;
  };
  std::vector<uint8_t> blob;
  int error = 0;
  if (!read_file(kVmlinuxBtf, blob, error)) {
    return fail("no-btf", error, "open",
                std::string("cannot read ") + kVmlinuxBtf + " (" + strerror(error) +
                    "): the kernel was built without BTF (CONFIG_DEBUG_INFO_BTF), which the bpf source needs");
  }
  Btf btf(std::move(blob));
  if (!btf.ok()) return fail("no-btf", EINVAL, "read", std::string(kVmlinuxBtf) + " is not usable BTF: " + btf.error());
  auto tcp_target = btf.find(Btf::kFunc, "bpf_iter_tcp");
  auto udp_target = btf.find(Btf::kFunc, "bpf_iter_udp");
  if (!tcp_target || !udp_target) {
    return fail("old-kernel", ENOSYS, "bpf",
                "the kernel has no TCP/UDP socket iterators for BPF (Linux 5.9 and later have them)");
  }
  auto reader = std::unique_ptr<SocketReader>(new SocketReader());
  struct Side {
    Program& program;
    bool tcp;
    const uint64_t* code;
    size_t count;
    uint32_t target;
  };
  Side sides[] = {{reader->tcp_, true, k_tcp_program, std::size(k_tcp_program), *tcp_target},
                  {reader->udp_, false, k_udp_program, std::size(k_udp_program), *udp_target}};
  for (Side& s : sides) {
    std::string why;
    auto layout = resolve_layout(btf, s.tcp, why);
    if (!layout) return fail("layout", ENOTSUP, "bpf", "the kernel's socket structures are not what knetstat reads: " + why);
    s.program.layout = *layout;
    std::vector<uint64_t> insns;
    if (!patch(s.code, s.count, *layout, insns, why)) return fail("layout", EINVAL, "bpf", why);
    std::string log;
    if (!reader->cookie_helper_) drop_cookie_helper(insns);
    int fd = load_iter_program(insns, s.target, log);
    if (fd == -EINVAL && reader->cookie_helper_) {
      // Perhaps a kernel whose tracing programs lack bpf_get_socket_cookie (< 5.12).
      drop_cookie_helper(insns);
      std::string again_log;
      int again = load_iter_program(insns, s.target, again_log);
      if (again >= 0) {
        reader->cookie_helper_ = false;
        if (s.tcp == false) {
          // The TCP program loaded with it: a kernel cannot take it in one and not the other.
          close(again);
          return fail("failed", EINVAL, "bpf", "the kernel refused the UDP socket program: " + log);
        }
      }
      fd = again;
      if (again < 0) log = again_log;
    }
    if (fd == -EPERM || fd == -EACCES) {
      return fail("no-privilege", -fd, "bpf",
                  "loading a BPF program needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN, e.g. root)");
    }
    if (fd < 0 && locked_down()) {
      return fail("lockdown", -fd, "bpf",
                  "the kernel is locked down (/sys/kernel/security/lockdown), which forbids BPF programs "
                  "that read kernel memory");
    }
    if (fd < 0) {
      return fail("failed", -fd, "bpf",
                  std::string("the kernel refused the ") + (s.tcp ? "TCP" : "UDP") + " socket program: " +
                      strerror(-fd) + (log.empty() ? "" : "; verifier: " + log));
    }
    s.program.prog.reset(fd);
    int link = create_iter_link(fd);
    if (link < 0) {
      return fail(link == -EPERM ? "no-privilege" : "failed", -link, "bpf",
                  std::string("cannot attach the socket program to its iterator: ") + strerror(-link));
    }
    s.program.link.reset(link);
  }
  if (!reader->calibrate(failure)) return nullptr;
  return reader;
}

bool SocketReader::next(SocketIteration& it, size_t min_records, std::vector<uint8_t>& out,
                        SystemFailure& failure) const {
  const Program& p = program(it.tcp);
  std::vector<uint8_t> raw;
  out.clear();
  if (!next_raw(it, min_records, raw, failure)) {
    it.device_names.reset();
    return false;
  }
  size_t n = raw.size() / p.layout.record_len;
  out.resize(n * kRecordBytes);
  for (size_t i = 0; i < n; i++) decode(p, it, raw.data() + i * p.layout.record_len, out.data() + i * kRecordBytes);
  if (it.done) it.device_names.reset();
  return true;
}

bool SocketReader::next_raw(SocketIteration& it, size_t min_records, std::vector<uint8_t>& raw,
                            SystemFailure& failure) const {
  const Program& p = program(it.tcp);
  const size_t record_len = p.layout.record_len;
  raw.clear();
  if (it.done) return true;
  if (!it.started) {
    it.started = true;
    int fd = -ENOMEM;
    int device_names = -1;
    // The iteration walks the namespace of the thread that creates it.
    const int entered = netns::run_in_netns(it.netns.get(), [&] {
      fd = create_iter(p.link.get());
      if (it.netns.valid()) device_names = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    });
    it.device_names.reset(device_names);
    it.other_netns = it.netns.valid();
    it.netns.reset();
    if (entered != 0) {
      failure.error = entered;
      failure.syscall = "setns";
      failure.message = with_advice(entered, std::string("cannot enter the network namespace to iterate: ") + strerror(entered));
      it.done = true;
      return false;
    }
    if (fd < 0) {
      failure.error = -fd;
      failure.syscall = "bpf";
      failure.message = with_advice(failure.error, std::string("cannot start a socket iteration: ") + strerror(failure.error));
      it.done = true;
      return false;
    }
    it.fd.reset(fd);
  }
  raw = std::move(it.carry);
  it.carry.clear();
  const size_t chunk = std::max<size_t>(64 * 1024, min_records * record_len);
  while (raw.size() / record_len < min_records) {
    size_t at = raw.size();
    raw.resize(at + chunk);
    ssize_t n = ::read(it.fd.get(), raw.data() + at, chunk);
    if (n < 0) {
      raw.resize(at);
      if (errno == EINTR) continue;
      failure.error = errno;
      failure.syscall = "read";
      failure.message = with_advice(failure.error, std::string("reading the socket iteration failed: ") + strerror(failure.error));
      it.done = true;
      it.fd.reset();
      return false;
    }
    raw.resize(at + size_t(n));
    if (n == 0) {
      it.done = true;
      it.fd.reset();
      break;
    }
  }
  size_t whole = raw.size() / record_len * record_len;
  it.carry.assign(raw.begin() + ptrdiff_t(whole), raw.end());
  raw.resize(whole);
  return true;
}

namespace {

// The name of interface `index` in the iterated namespace: through a socket opened
// there, or this thread's own namespace when the iteration is of the caller's.
bool device_name(const SocketIteration& it, uint32_t index, char (&name)[IF_NAMESIZE]) {
  if (!it.other_netns) return if_indextoname(index, name) != nullptr;
  if (!it.device_names.valid()) return false;
  struct ifreq request = {};
  request.ifr_ifindex = int(index);
  if (::ioctl(it.device_names.get(), SIOCGIFNAME, &request) != 0) return false;
  std::memcpy(name, request.ifr_name, IF_NAMESIZE);
  name[IF_NAMESIZE - 1] = 0;
  return true;
}

}  // namespace

void SocketReader::decode(const Program& p, const SocketIteration& it, const uint8_t* raw, uint8_t* out) const {
  const bool tcp = it.tcp;
  const SocketLayout& l = p.layout;
  double slots[kSlotCount];
  auto f = [&](Field field) { return read_field(l, raw, field); };
  auto signed_long = [&](Field field) { return double(int64_t(f(field))); };
  uint64_t cookie = cookie_of(l, raw);
  slots[kCookieLow] = double(cookie & 0xffffffff);
  slots[kCookieHigh] = double(cookie >> 32);
  slots[kInode] = double(f(Field::kInode));
  uint64_t family = f(Field::kFamily);
  slots[kFamily] = double(family);
  slots[kState] = double(f(Field::kState));
  slots[kReuse] = double(f(Field::kReuse));
  slots[kReusePort] = double(f(Field::kReusePort));
  slots[kV6Only] = double(f(Field::kV6Only));
  uint64_t flags = f(Field::kFlags);
  slots[kKeepOpen] = flag(flags, l.keepopen_bit);
  slots[kLinger] = flag(flags, l.linger_bit);
  slots[kBroadcast] = flag(flags, l.broadcast_bit);
  slots[kUserLocks] = double(f(Field::kUserLocks));
  slots[kRcvBuf] = double(int32_t(f(Field::kRcvBuf)));
  slots[kSndBuf] = double(int32_t(f(Field::kSndBuf)));
  slots[kRcvTimeo] = signed_long(Field::kRcvTimeo);
  slots[kSndTimeo] = signed_long(Field::kSndTimeo);
  slots[kLingerTime] = double(f(Field::kLingerTime));
  slots[kMark] = double(f(Field::kMark));
  slots[kPriority] = double(f(Field::kPriority));
  slots[kTos] = double(f(Field::kTos));
  slots[kTClass] = family == AF_INET6 ? double(f(Field::kTClass)) : NAN;
  if (l.fields[int(Field::kInetFlags)].present) {
    uint64_t inet_flags = f(Field::kInetFlags);
    slots[kFreeBind] = flag(inet_flags, l.freebind_bit);
    slots[kTransparent] = flag(inet_flags, l.transparent_bit);
  } else {
    slots[kFreeBind] = double(f(Field::kFreeBind));
    slots[kTransparent] = double(f(Field::kTransparent));
  }
  const Slot tcp_slots[] = {kNoNagle, kKeepIdle, kKeepIntvl, kKeepCnt, kUserTimeout,
                            kDeferAccept, kFastOpenQlen, kNotSentLowat, kUserMss};
  const Field tcp_fields[] = {Field::kNoNagle, Field::kKeepIdle, Field::kKeepIntvl, Field::kKeepCnt, Field::kUserTimeout,
                              Field::kDeferAccept, Field::kFastOpenQlen, Field::kNotSentLowat, Field::kUserMss};
  for (size_t i = 0; i < std::size(tcp_slots); i++) {
    slots[tcp_slots[i]] = tcp ? double(f(tcp_fields[i])) : NAN;
  }
  if (tcp) slots[kFastOpenQlen] = double(int32_t(f(Field::kFastOpenQlen)));
  std::memcpy(out, slots, sizeof(slots));
  std::memset(out + kCongestionOffset, 0, 2 * kStringBytes);
  if (tcp) {
    const FieldPlace& c = l.fields[int(Field::kCongestion)];
    std::memcpy(out + kCongestionOffset, raw + c.at, kStringBytes - 1);
  }
  uint32_t dev = uint32_t(f(Field::kBoundDevIf));
  if (dev != 0) {
    char name[IF_NAMESIZE] = {0};
    if (!device_name(it, dev, name)) snprintf(name, sizeof(name), "if%u", dev);
    std::memcpy(out + kDeviceOffset, name, kStringBytes - 1);
  }
}

bool SocketReader::read(bool tcp, UniqueFd netns, std::vector<uint8_t>& out, SystemFailure& failure) const {
  SocketIteration it;
  it.tcp = tcp;
  it.netns = std::move(netns);
  out.clear();
  std::vector<uint8_t> part;
  // Parts of many records: one read() returns what the kernel's seq buffer holds.
  while (!it.done) {
    if (!next(it, 1 << 14, part, failure)) return false;
    out.insert(out.end(), part.begin(), part.end());
  }
  return true;
}

// A UDP socket of our own with options set to known values: the programs must read
// them back (else the layout is wrong and the source refuses to serve), and its
// SO_RCVTIMEO of one second, stored in jiffies, is the kernel's HZ.
bool SocketReader::calibrate(OpenFailure& failure) {
  auto fail = [&](const std::string& why) {
    failure.cause = "layout";
    failure.error = EPROTO;
    failure.syscall = "bpf";
    failure.message = "the socket program's check against a socket of knetstat's own failed: " + why;
    return false;
  };
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s.valid() && out_of_descriptors(errno)) {
    failure.cause = "failed";
    failure.error = errno;
    failure.syscall = "socket";
    failure.message = with_advice(errno, std::string("cannot open the socket the programs are checked on: ") + strerror(errno));
    return false;
  }
  if (!s.valid()) return fail(std::string("socket: ") + strerror(errno));
  struct timeval second = {1, 0};
  int rcvbuf = 5000, on = 1, priority = 5, tos = 0x20;
  struct sockaddr_in any = {};
  any.sin_family = AF_INET;
  if (setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &second, sizeof(second)) ||
      setsockopt(s.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
      setsockopt(s.get(), SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) ||
      // IP_TOS sets the priority too: SO_PRIORITY after it.
      setsockopt(s.get(), IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) ||
      setsockopt(s.get(), SOL_SOCKET, SO_PRIORITY, &priority, sizeof(priority)) ||
      bind(s.get(), reinterpret_cast<struct sockaddr*>(&any), sizeof(any))) {
    return fail(std::string("setting up: ") + strerror(errno));
  }
  uint64_t cookie = 0;
  socklen_t len = sizeof(cookie);
  struct stat st;
  if (getsockopt(s.get(), SOL_SOCKET, SO_COOKIE, &cookie, &len) || fstat(s.get(), &st)) {
    return fail(std::string("SO_COOKIE: ") + strerror(errno));
  }
  // The records undecoded: the check reads the fields itself.
  std::vector<uint8_t> raw, part;
  SocketIteration it;
  while (!it.done) {
    if (!next_raw(it, 1 << 14, part, failure)) {
      failure.cause = "failed";
      return false;
    }
    raw.insert(raw.end(), part.begin(), part.end());
  }
  const SocketLayout& l = udp_.layout;
  for (size_t at = 0; at + l.record_len <= raw.size(); at += l.record_len) {
    const uint8_t* r = raw.data() + at;
    if (cookie_of(l, r) != cookie) continue;
    uint64_t hz = read_field(l, r, Field::kRcvTimeo);
    bool ok = read_field(l, r, Field::kInode) == uint64_t(st.st_ino) && read_field(l, r, Field::kFamily) == AF_INET &&
              (read_field(l, r, Field::kUserLocks) & 2) != 0 && read_field(l, r, Field::kRcvBuf) == 2u * rcvbuf &&
              ((read_field(l, r, Field::kFlags) >> l.broadcast_bit) & 1) == 1 &&
              read_field(l, r, Field::kPriority) == uint64_t(priority) && read_field(l, r, Field::kTos) == uint64_t(tos) &&
              uint32_t(read_field(l, r, Field::kSndTimeo) >> 32) == 0x7fffffff;
    if (!ok) return fail("a field read back differs from the value set");
    if (hz < 24 || hz > 10000) return fail("SO_RCVTIMEO of 1 s reads back as " + std::to_string(hz) + " jiffies");
    hz_ = uint32_t(hz);
    return true;
  }
  return fail("its socket is not in the iteration");
}

}  // namespace knetstat::bpf

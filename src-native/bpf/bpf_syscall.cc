#include "bpf/bpf_syscall.h"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace knetstat::bpf {

namespace {

int sys_bpf(int cmd, union bpf_attr* attr) {
  long rc = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
  return rc < 0 ? -errno : int(rc);
}

// The licence of the program's source (socket_fields.bpf.c): GPL-compatible, as
// bpf_probe_read_kernel and bpf_seq_write require.
constexpr char kLicense[] = "Dual MIT/GPL";

}  // namespace

int load_iter_program(const std::vector<uint64_t>& insns, uint32_t attach_btf_id, std::string& log) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_TRACING;
  attr.expected_attach_type = BPF_TRACE_ITER;
  attr.insns = reinterpret_cast<uintptr_t>(insns.data());
  attr.insn_cnt = uint32_t(insns.size());
  attr.license = reinterpret_cast<uintptr_t>(kLicense);
  attr.attach_btf_id = attach_btf_id;
  std::memcpy(attr.prog_name, "knetstat", sizeof("knetstat"));
  int fd = sys_bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0 || fd == -EPERM) return fd;
  // Again with the verifier's log, to say why.
  std::vector<char> buf(64 * 1024);
  attr.log_level = 1;
  attr.log_buf = reinterpret_cast<uintptr_t>(buf.data());
  attr.log_size = uint32_t(buf.size());
  int again = sys_bpf(BPF_PROG_LOAD, &attr);
  if (again >= 0) return again;
  buf.back() = '\0';
  log = buf.data();
  // The last lines say why; the rest is the walk through the program.
  if (log.size() > 2000) log = "..." + log.substr(log.size() - 2000);
  return fd;
}

int create_iter_link(int prog_fd) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.link_create.prog_fd = uint32_t(prog_fd);
  attr.link_create.attach_type = BPF_TRACE_ITER;
  return sys_bpf(BPF_LINK_CREATE, &attr);
}

int create_iter(int link_fd) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.iter_create.link_fd = uint32_t(link_fd);
  return sys_bpf(BPF_ITER_CREATE, &attr);
}

}  // namespace knetstat::bpf

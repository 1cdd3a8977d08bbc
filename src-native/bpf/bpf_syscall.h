// The bpf(2) commands the socket programs need, as thin calls: load a program,
// attach it to a socket iterator, open an iteration. Linux >= 5.9 (BPF_TRACE_ITER
// with iter/tcp and iter/udp); glibc has no wrapper.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace knetstat::bpf {

// A tracing program of type BPF_TRACE_ITER for the iterator whose BTF function is
// `attach_btf_id` (bpf_iter_tcp, bpf_iter_udp). Returns the program's fd, or -errno;
// on failure `log` holds the verifier's words.
int load_iter_program(const std::vector<uint64_t>& insns, uint32_t attach_btf_id, std::string& log);
// A link of the program to its iterator; fd or -errno.
int create_iter_link(int prog_fd);
// A new iteration of the link, in the caller's network namespace: read() it to the end.
int create_iter(int link_fd);

}  // namespace knetstat::bpf

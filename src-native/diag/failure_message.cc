#include "diag/failure_message.h"

#include <cctype>
#include <cerrno>
#include <cstring>

#include "util/out_of_descriptors.h"

namespace knetstat::diag {
namespace {

constexpr const char* kLoadModules = "load the kernel modules with `modprobe inet_diag tcp_diag udp_diag`";

// strerror_r is GNU's (returns the text, maybe not in buffer) on glibc and XSI's
// (returns 0 and fills buffer) on musl: each overload takes what its result means.
[[maybe_unused]] std::string strerror_text(char* text, const char*, int) { return text; }
[[maybe_unused]] std::string strerror_text(int result, const char* buffer, int error) {
  return result == 0 ? std::string(buffer) : "error " + std::to_string(error);
}

std::string system_text(int error) {
  char buffer[128];
  return strerror_text(strerror_r(error, buffer, sizeof buffer), buffer, error);
}

std::string advice(int error, const char* syscall, const DumpRequest* request) {
  const bool at_socket = std::strcmp(syscall, "socket") == 0;
  switch (error) {
    case EPROTONOSUPPORT:
    case EAFNOSUPPORT:
      if (at_socket)
        return "this kernel has no NETLINK_SOCK_DIAG (CONFIG_INET_DIAG); " + std::string(kLoadModules);
      return "the kernel does not support this socket family/protocol dump; " + std::string(kLoadModules);
    case ENOENT:
      return "the kernel has no sock_diag handler for " +
             (request ? describe_request(*request) : std::string("this request")) +
             " (inet_diag, tcp_diag or udp_diag not loaded, or not a family/protocol it can dump); " +
             kLoadModules;
    case EPERM:
    case EACCES:
      return "the kernel refused the netlink sock_diag request (a seccomp filter, LSM policy or "
             "container sandbox blocks NETLINK_SOCK_DIAG); run where netlink sockets are allowed";
    case ENOBUFS:
      return "the netlink receive queue overflowed and the kernel dropped part of the dump; "
             "retry (the host is busy or the socket table is huge)";
    case EINTR:
      return "the kernel interrupted the dump; retry";
    case EINVAL:
      return "the kernel rejected the request as invalid (family, protocol, state mask or bytecode filter)";
    case ETIMEDOUT:
      return "the kernel sent no reply within the receive timeout; retry";
    case EMSGSIZE:
      return "a netlink reply did not fit the receive buffer; please report this with your kernel version";
    case EBADMSG:
      return "the kernel's reply was malformed; please report this with your kernel version";
    case EMFILE:
    case ENFILE:
      return std::string("no file descriptor is free for the netlink socket; ") + kOutOfDescriptorsAdvice;
    case ENOMEM:
      return "out of memory while dumping sockets";
    default:
      return "unexpected failure talking to the kernel over netlink sock_diag";
  }
}

}  // namespace

std::string describe_request(const DumpRequest& request) {
  std::string protocol = request.protocol == 6    ? "TCP"
                         : request.protocol == 17 ? "UDP"
                                                  : "protocol " + std::to_string(request.protocol);
  std::string family = request.family == 2    ? "IPv4"
                       : request.family == 10 ? "IPv6"
                                              : "family " + std::to_string(request.family);
  return protocol + "/" + family;
}

SystemFailure make_failure(int error, const char* syscall, const DumpRequest* request, const char* detail) {
  SystemFailure failure;
  failure.error = error;
  failure.syscall = syscall;
  std::string head = "netlink sock_diag " + std::string(syscall) + " failed";
  if (request) head += " dumping " + describe_request(*request) + " sockets";
  head += ": " + system_text(error);
  if (detail) head += " (" + std::string(detail) + ")";
  std::string next = advice(error, syscall, request);
  next[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(next[0])));
  failure.message = head + ". " + next + ".";
  return failure;
}

}  // namespace knetstat::diag

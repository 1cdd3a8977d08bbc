#include "addon/netns_binding.h"

#include <fcntl.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "addon/coded_error.h"
#include "addon/system_error.h"
#include "netns/in_netns.h"

namespace knetstat::addon {
namespace {

// Most paths one openInNetns may open: what the sources need is under a dozen.
constexpr uint32_t kMaxPaths = 64;

std::string setns_advice(int error) {
  switch (error) {
    case EPERM:
      return "entering a network namespace needs CAP_SYS_ADMIN over it (run as root, or in the user namespace that owns it)";
    case EINVAL:
      return "the file is not a network namespace (use /run/netns/NAME, /proc/PID/ns/net or a pid)";
    case EBADF:
      return "the namespace's descriptor is not open";
    default:
      return std::string("the kernel refused (") + std::strerror(error) + ")";
  }
}

[[noreturn]] void throw_setns(Napi::Env env, int error) {
  SystemFailure failure;
  failure.error = error;
  failure.syscall = "setns";
  failure.message = "cannot enter the network namespace: " + setns_advice(error);
  throw make_system_error(env, failure);
}

}  // namespace

UniqueFd read_netns_fd(Napi::Env env, const Napi::Value& value, const char* function) {
  if (value.IsUndefined() || value.IsNull()) return UniqueFd();
  const double fd = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(fd >= 0 && fd <= 0x7fffffff) || std::floor(fd) != fd) {
    throw_type_error(env, std::string(function) + ": netnsFd must be a file descriptor (a non-negative integer) or undefined");
  }
  const int copy = netns::dup_netns(static_cast<int>(fd));
  if (copy < 0) {
    SystemFailure failure;
    failure.error = -copy;
    failure.syscall = "fcntl";
    failure.message = std::string(function) + ": cannot duplicate the namespace's descriptor: " + std::strerror(-copy);
    throw make_system_error(env, failure);
  }
  return UniqueFd(copy);
}

Napi::Value open_in_netns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UniqueFd netns = read_netns_fd(env, info[0], "openInNetns");
  if (!netns.valid()) throw_type_error(env, "openInNetns: netnsFd must be a file descriptor");
  if (!info[1].IsArray()) throw_type_error(env, "openInNetns: paths must be an array of strings");
  Napi::Array list = info[1].As<Napi::Array>();
  if (list.Length() > kMaxPaths) throw_range_error(env, "openInNetns: at most " + std::to_string(kMaxPaths) + " paths");
  std::vector<std::string> paths;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value path = list.Get(i);
    if (!path.IsString()) throw_type_error(env, "openInNetns: paths must be an array of strings");
    paths.push_back(path.As<Napi::String>().Utf8Value());
    if (paths.back().find('\0') != std::string::npos) throw_type_error(env, "openInNetns: a path contains a NUL byte");
  }
  std::vector<int> fds(paths.size(), -EIO);
  const int error = netns::run_in_netns(netns.get(), [&] {
    for (size_t i = 0; i < paths.size(); i++) {
      const int fd = ::open(paths[i].c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
      fds[i] = fd < 0 ? -errno : fd;
    }
  });
  if (error != 0) throw_setns(env, error);
  Napi::Array out = Napi::Array::New(env, fds.size());
  for (size_t i = 0; i < fds.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, fds[i]));
  return out;
}

}  // namespace knetstat::addon

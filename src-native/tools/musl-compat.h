/* Force-included (zig-cxx.sh) into every C++ file of the musl prebuilds, until
 * src-native/ builds on musl as it is. Two glibc-isms there:
 *  - struct timeval (bpf/socket_reader.cc, SO_RCVTIMEO) is used without
 *    <sys/time.h>, which glibc's <sys/socket.h> brings in and musl's does not;
 *  - diag/failure_message.cc reads strerror_r's result both as GNU's char* and
 *    XSI's int in one `if constexpr` outside a template, so the XSI branch of
 *    musl (which only has XSI) does not compile: here it gets GNU's signature.
 * Not part of the source hash (src-native/tools/ is not): once those files
 * include <sys/time.h> and pick the strerror_r branch by overload, delete this. */
#ifndef KNETSTAT_MUSL_COMPAT_H
#define KNETSTAT_MUSL_COMPAT_H
#include <string.h>
#include <sys/time.h>

static inline char* knetstat_gnu_strerror_r(int error, char* buffer, size_t size) {
  if (strerror_r(error, buffer, size) != 0 && size > 0) buffer[0] = '\0';
  return buffer;
}
#define strerror_r knetstat_gnu_strerror_r
#endif

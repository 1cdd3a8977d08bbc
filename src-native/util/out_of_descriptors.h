// Running out of file descriptors (EMFILE: this process's RLIMIT_NOFILE; ENFILE: the
// system's fs.file-max) says nothing about what was being read: every reader fails
// with it instead of taking it for "nothing there", and says what to do in one voice.
#pragma once

#include <cerrno>

namespace knetstat {

inline bool out_of_descriptors(int error) { return error == EMFILE || error == ENFILE; }

// The advice every such failure ends with.
constexpr const char* kOutOfDescriptorsAdvice =
    "close some file descriptors or raise the limit (ulimit -n, RLIMIT_NOFILE; fs.file-max for ENFILE)";

}  // namespace knetstat

// errno number -> its symbolic name ("EPERM"), as Node core errors carry in `code`.
#pragma once

namespace knetstat {

// The name of positive errno `error`, or "UNKNOWN" (Node's code for unnamed errors).
const char* errno_name(int error);

}  // namespace knetstat

// The pull-based dump (diag/dump_cursor.h) as three exports:
//   openDumpCursor(requests) -> handle   (no I/O: the socket opens on the first read)
//   readDumpCursor(handle, minBytes) -> Promise<{ records, done, interrupted }>
//   closeDumpCursor(handle) -> Promise<void>
// Reads and closes run on libuv worker threads. A handle is an External tagged as
// ours, holding a shared_ptr: a running worker keeps the cursor alive, and when the
// handle is garbage-collected without a close, the last owner closes the socket.
#pragma once

#include <napi.h>

namespace knetstat::addon {

Napi::Value open_dump_cursor(const Napi::CallbackInfo& info);
Napi::Value read_dump_cursor(const Napi::CallbackInfo& info);
Napi::Value close_dump_cursor(const Napi::CallbackInfo& info);

}  // namespace knetstat::addon

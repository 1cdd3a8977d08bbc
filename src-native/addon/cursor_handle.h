// A native cursor handed to JS as an External tagged as ours, holding a shared_ptr:
// a foreign value is a TypeError, not a crash; a running worker keeps the state
// alive; when the handle is garbage-collected without a close, the last owner frees
// it. `State` has a `busy` flag (a worker owns it), touched on the JS thread only.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "addon/coded_error.h"

namespace knetstat::addon {

template <typename State>
Napi::Value wrap_cursor(Napi::Env env, std::shared_ptr<State> state, const napi_type_tag* tag) {
  auto owned = std::make_unique<std::shared_ptr<State>>(std::move(state));
  // Owned by the External's finalizer only once the External exists (New can throw).
  auto external = Napi::External<std::shared_ptr<State>>::New(env, owned.get(),
                                                              [](Napi::Env, std::shared_ptr<State>* p) { delete p; });
  owned.release();
  external.TypeTag(tag);
  return external;
}

// The cursor's state; a TypeError for a foreign value, ERR_KNETSTAT_CURSOR_BUSY while
// a previous call on it runs.
template <typename State>
std::shared_ptr<State> unwrap_cursor(const Napi::Value& value, const napi_type_tag* tag, const char* what) {
  Napi::Env env = value.Env();
  if (!value.IsExternal() || !value.As<Napi::External<std::shared_ptr<State>>>().CheckTypeTag(tag))
    throw_type_error(env, std::string("handle must be a ") + what);
  std::shared_ptr<State> state = *value.As<Napi::External<std::shared_ptr<State>>>().Data();
  if (state->busy)
    throw_coded(Napi::Error::New(env, std::string("the ") + what + " is already being read or closed: await the previous call first"),
                "ERR_KNETSTAT_CURSOR_BUSY");
  return state;
}

}  // namespace knetstat::addon

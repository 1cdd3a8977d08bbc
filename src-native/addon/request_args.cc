#include "addon/request_args.h"

#include <cmath>
#include <string>

#include "addon/coded_error.h"

namespace knetstat::addon {
namespace {

// Plenty for every family x protocol; a bound keeps one call from monopolizing a worker.
constexpr uint32_t kMaxRequests = 64;

uint32_t read_integer(const Napi::Object& object, const char* key, double max, const std::string& where) {
  Napi::Env env = object.Env();
  Napi::Value value = object.Get(key);
  if (!value.IsNumber()) throw_type_error(env, where + "." + key + " must be a number");
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= max) || std::floor(number) != number)
    throw_range_error(env, where + "." + key + " must be an integer from 0 to " + std::to_string(static_cast<uint64_t>(max)));
  return static_cast<uint32_t>(number);
}

}  // namespace

Napi::Uint8Array read_bytes(const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw_type_error(value.Env(), std::string(name) + " must be a Buffer or Uint8Array");
  return value.As<Napi::Uint8Array>();
}

std::vector<diag::DumpRequest> read_dump_requests(const Napi::Value& value) {
  Napi::Env env = value.Env();
  if (!value.IsArray()) throw_type_error(env, "requests must be an array of DumpRequest");
  Napi::Array array = value.As<Napi::Array>();
  if (array.Length() > kMaxRequests)
    throw_range_error(env, "requests must hold at most " + std::to_string(kMaxRequests) + " entries");

  std::vector<diag::DumpRequest> requests;
  requests.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    const std::string where = "requests[" + std::to_string(i) + "]";
    Napi::Value item = array.Get(i);
    if (!item.IsObject()) throw_type_error(env, where + " must be an object");
    Napi::Object object = item.As<Napi::Object>();
    diag::DumpRequest request;
    request.family = static_cast<uint8_t>(read_integer(object, "family", 255, where));
    request.protocol = static_cast<uint8_t>(read_integer(object, "protocol", 255, where));
    request.states = read_integer(object, "states", 4294967295.0, where);
    request.extensions = static_cast<uint8_t>(read_integer(object, "extensions", 255, where));
    Napi::Value bytecode = object.Get("bytecode");
    if (!bytecode.IsUndefined() && !bytecode.IsNull()) {
      Napi::Uint8Array bytes = read_bytes(bytecode, (where + ".bytecode").c_str());
      request.bytecode.assign(bytes.Data(), bytes.Data() + bytes.ElementLength());
    }
    requests.push_back(std::move(request));
  }
  return requests;
}

}  // namespace knetstat::addon

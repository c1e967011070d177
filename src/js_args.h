// Argument checks shared by the JS-facing functions. A wrong type is a
// programming error: TypeError. A well-typed but unusable value (a stale
// handle, a port out of range) is an errno result, left to the caller.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include <napi.h>

#include "backend.h"

namespace iocpnet {
namespace bridge {

[[noreturn]] inline void ThrowTypeError(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

inline double NumberArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value value = info[index];
  if (!value.IsNumber()) ThrowTypeError(info.Env(), std::string("The \"") + name + "\" argument must be of type number");
  return value.As<Napi::Number>().DoubleValue();
}

inline bool BoolArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value value = info[index];
  if (!value.IsBoolean()) ThrowTypeError(info.Env(), std::string("The \"") + name + "\" argument must be of type boolean");
  return value.As<Napi::Boolean>().Value();
}

inline std::string StringArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value value = info[index];
  if (!value.IsString()) ThrowTypeError(info.Env(), std::string("The \"") + name + "\" argument must be of type string");
  return value.As<Napi::String>().Utf8Value();
}

// A handle number; kInvalidHandle (rejected by the backend with UV_EBADF)
// for a number that cannot be a handle id (negative, fractional, too large).
inline HandleId HandleArg(const Napi::CallbackInfo& info, size_t index) {
  double value = NumberArg(info, index, "handle");
  constexpr double kMaxSafe = 9007199254740991.0;  // 2^53 - 1
  if (!(value >= 1 && value <= kMaxSafe) || std::floor(value) != value) return kInvalidHandle;
  return static_cast<HandleId>(value);
}

// A TCP port; -1 when the number is not an integer in 0..65535.
inline int PortArg(const Napi::CallbackInfo& info, size_t index) {
  double value = NumberArg(info, index, "port");
  if (!(value >= 0 && value <= 65535) || std::floor(value) != value) return -1;
  return static_cast<int>(value);
}

}  // namespace bridge
}  // namespace iocpnet

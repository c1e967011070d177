// The JS face of an Engine: a plain object whose functions carry the Engine
// as their data pointer (no unwrap per call). Every function returns 0, a
// handle, or a negative libuv errno; TypeError only for wrong argument types.
#pragma once

#include <napi.h>

namespace iocpnet {
namespace bridge {

class Engine;

// Defines the methods and the `backend` name on `target`.
void DefineEngineMethods(Napi::Env env, Napi::Object target, Engine* engine);

}  // namespace bridge
}  // namespace iocpnet

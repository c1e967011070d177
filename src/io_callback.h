// IoCallback: calls JS from a libuv callback the way node calls an I/O
// callback. napi_make_callback under an async context of its own, so
// async_hooks see one callback, and process.nextTick callbacks and
// microtasks run after it; a throw is reported as node reports one from any
// I/O callback ('uncaughtException', or exit).
//
// Raw napi calls with their statuses checked, no C++ exceptions: while a
// worker is being terminated JS cannot run, every call may fail, and the
// call is then dropped (nobody is left to get it).
#pragma once

#include <cstddef>

#include <node_api.h>

namespace iocpnet {
namespace bridge {

class IoCallback {
 public:
  // `name`: the async resource's type, as async_hooks report it.
  // Its owner calls Release at env teardown: no napi call may come later,
  // so the destructor makes none.
  IoCallback(napi_env env, const char* name) : env_(env), name_(name) {}
  IoCallback(const IoCallback&) = delete;
  IoCallback& operator=(const IoCallback&) = delete;

  // Calls `fn` with `receiver` as `this`. The async context is made at the
  // first call, with `resource` as its resource (a new object if nullptr).
  // It must be made outside any JS callback: an AsyncLocalStorage store
  // active then would leak into every later call.
  void Call(napi_value resource, napi_value receiver, napi_value fn, size_t argc, const napi_value* argv);

  // Env teardown: destroys the async context.
  void Release();

 private:
  bool EnsureContext(napi_value resource);
  void ReportException();

  napi_env env_;
  const char* name_;
  napi_async_context context_ = nullptr;
};

}  // namespace bridge
}  // namespace iocpnet

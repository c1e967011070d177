// ClosePhase: calls a JS function in the loop's close phase, where node's
// handle close callbacks run. uv_close() of a handle queues its callback
// for the close phase of the current loop turn (after the check phase, so
// after setImmediate callbacks), or of the next turn when called after it.
//
// Why: node emits 'close' for a socket whose connect never got an attempt
// (an immediate error, a lookup still running) from its idle handle's close
// callback. A setImmediate of ours came a whole turn later when called from
// a setImmediate callback, and a reconnect's events then overtook 'close'
// (the differential fuzzer saw it under Wine).
//
// Each call closes a uv_idle_t that was never started (so it never keeps the
// loop alive by itself; a closing handle does, as node's does). The JS
// function is held by a reference until its callback ran or the environment
// is torn down; a tick still closing then only frees itself.
#pragma once

#include <node_api.h>
#include <uv.h>

#include "io_callback.h"

namespace iocpnet {
namespace bridge {

class ClosePhase {
 public:
  ClosePhase(napi_env env, uv_loop_t* loop) : env_(env), loop_(loop), callback_(env, "IOCP_NET_CLOSE") {}
  ~ClosePhase() { Teardown(); }
  ClosePhase(const ClosePhase&) = delete;
  ClosePhase& operator=(const ClosePhase&) = delete;

  // Calls `fn` (no arguments) in the close phase. A libuv errno on failure.
  int Schedule(napi_value fn);

  // Env teardown: releases the functions of ticks not run yet; their
  // callbacks then free them without touching JS.
  void Teardown();

 private:
  struct Tick {
    uv_idle_t handle;
    napi_ref fn = nullptr;
    ClosePhase* owner = nullptr;
    Tick* prev = nullptr;
    Tick* next = nullptr;
  };
  static void OnClosed(uv_handle_t* handle);
  void Unlink(Tick* tick);
  void Run(Tick* tick);

  napi_env env_;
  uv_loop_t* loop_;
  Tick* pending_ = nullptr;  // ticks whose callback has not run
  IoCallback callback_;
};

}  // namespace bridge
}  // namespace iocpnet

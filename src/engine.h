// Engine: one native engine per Node environment (main thread or worker).
// Owns the Backend and ties it to the environment: the loop wiring
// (LoopDriver), the JS values kept alive for writes (WritePins) and the batch
// delivery of events to JS (EventBatch). The JS-facing methods live in
// engine_methods.cc; the per-environment lifetime in addon.cc.
#pragma once

#include <memory>

#include <napi.h>
#include <uv.h>

#include "backend.h"
#include "close_phase.h"
#include "event_batch.h"
#include "io_callback.h"
#include "loop_driver.h"
#include "write_pins.h"

namespace iocpnet {
namespace bridge {

class Engine final : private LoopDriver::Client {
 public:
  // Creates the backend and starts the loop wiring. `on_batch` is called as
  // on_batch.call(receiver, records, count, buffers, callbacks) once per batch.
  // Throws Napi::Error (with .errno) when no backend can start.
  static Engine* Create(Napi::Env env, const BackendOptions& options, Napi::Object receiver,
                        Napi::Function on_batch);
  // Only after Teardown's done callback (the uv handles live inside).
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Napi::Env env() const { return env_; }
  // Null once torn down (env cleanup): methods then fail with UV_EBADF.
  Backend* backend() const { return backend_.get(); }
  WritePins& pins() { return pins_; }
  // Null until the engine watches the loop.
  ClosePhase* close_phase() { return close_phase_.get(); }
  Napi::Object receiver() const { return receiver_.Value(); }

  // After any call that may start or end activity (or change a ref): keep
  // Node's loop alive exactly while the backend says so. The backend alone
  // counts what is active (ref'd listeners and readers, and, ref'd or not,
  // connects, writes, shutdowns and closes in progress: libuv's rule).
  void UpdateLiveness();

  // Env cleanup: stop polling, destroy the backend (closing every socket),
  // release every JS value held, close the uv handles. `done(arg)` runs once
  // the uv handles are closed; nothing of Node is touched after Teardown
  // returns.
  void Teardown(void (*done)(void* arg), void* arg);
  // A `done` for Teardown that frees the engine.
  static void DeleteAfterClose(void* engine);

 private:
  explicit Engine(Napi::Env env);
  void OnCompletionsReady() override;
  void Deliver();
  void OnBeforePoll() override;

  Napi::Env env_;
  std::unique_ptr<Backend> backend_;
  WritePins pins_;
  EventBatch batch_;
  Napi::ObjectReference receiver_;
  Napi::FunctionReference on_batch_;
  IoCallback batch_callback_;  // calls on_batch
  LoopDriver driver_;
  std::unique_ptr<ClosePhase> close_phase_;
};

}  // namespace bridge
}  // namespace iocpnet

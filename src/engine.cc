#include "engine.h"

#include <string>

#include "errors.h"

namespace iocpnet {
namespace bridge {

Engine::Engine(Napi::Env env) : env_(env), batch_(env, &pins_), batch_callback_(env, "IOCP_NET_BATCH") {}

Engine* Engine::Create(Napi::Env env, const BackendOptions& options, Napi::Object receiver,
                       Napi::Function on_batch) {
  int error = 0;
  std::string why;
  std::unique_ptr<Backend> backend = CreateBackend(options, &error, &why);
  if (!backend) {
    Napi::Error e = Napi::Error::New(env, "iocp-net: no engine backend could start: " + why);
    e.Set("errno", Napi::Number::New(env, error));
    e.Set("code", Napi::String::New(env, UvErrorName(error)));
    throw e;
  }
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    throw Napi::Error::New(env, "iocp-net: no libuv loop for this environment");
  }
  // The JS references first: making them may throw (a worker being
  // terminated), and until the driver starts nothing needs closing.
  std::unique_ptr<Engine> made(new Engine(env));
  made->receiver_ = Napi::Persistent(receiver);
  made->on_batch_ = Napi::Persistent(on_batch);
  made->backend_ = std::move(backend);
  Engine* engine = made.release();
  int rc = engine->driver_.Start(loop, engine->backend_->PollFd(), engine);
  if (rc != 0) {
    // Some uv handles may be initialized: the engine can only be freed once
    // they are closed.
    engine->Teardown(&Engine::DeleteAfterClose, engine);
    Napi::Error e = Napi::Error::New(env, std::string("iocp-net: cannot watch the engine: ") + UvErrorMessage(rc));
    e.Set("errno", Napi::Number::New(env, rc));
    throw e;
  }
  if (engine->backend_->PollFd() < 0) engine->backend_->SetWakeCallback(&LoopDriver::Wake, &engine->driver_);
  engine->close_phase_.reset(new ClosePhase(env, loop));
  return engine;
}

void Engine::DeleteAfterClose(void* engine) { delete static_cast<Engine*>(engine); }

Engine::~Engine() {
  // Teardown normally ran already; this covers an env that never got there.
  backend_.reset();
  pins_.ReleaseAll();
  batch_.Release();
}

void Engine::UpdateLiveness() {
  if (backend_) driver_.SetRef(backend_->HasRefedActiveHandles());
}

void Engine::OnBeforePoll() {
  if (!backend_) return;
  backend_->Flush();
  UpdateLiveness();
}

void Engine::OnCompletionsReady() {
  // One Drain per wake-up, like one epoll batch per libuv turn: completions
  // caused by this batch's own writes come next turn, after setImmediate
  // callbacks (draining again in the same callback reordered events against
  // them, and measured no faster).
  if (!backend_) return;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env_, &scope) != napi_ok) return;
  batch_.Begin();
  backend_->Drain(batch_);
  if (batch_.count() > 0) Deliver();
  napi_close_handle_scope(env_, scope);
  UpdateLiveness();
}

// The one JS call of a batch. Raw napi calls with their statuses checked,
// no C++ exceptions: while a worker is being terminated JS cannot run, every
// call below may fail, and the batch is then dropped (nobody is left to get it).
void Engine::Deliver() {
  napi_value args[4];
  if (!batch_.Publish(&args[0], &args[2], &args[3])) return;
  if (napi_create_double(env_, static_cast<double>(batch_.count()), &args[1]) != napi_ok) return;
  napi_value receiver = receiver_.Value();
  // The first batch comes from the loop, outside any JS callback: the
  // batches' async context is made then (io_callback.h says why).
  batch_callback_.Call(receiver, receiver, on_batch_.Value(), 4, args);
}

void Engine::Teardown(void (*done)(void* arg), void* arg) {
  // Stop watching the fd before the backend closes it; let the backend close
  // every socket and stop using borrowed memory; only then release what JS
  // lent us. The uv handles close last: `done` may free this object.
  driver_.StopWatching();
  // Hand the kernel what JS queued this turn (an unref'd socket's last write
  // before exit), as node's own writes would already be; then close.
  if (backend_) backend_->Flush();
  backend_.reset();
  pins_.ReleaseAll();
  batch_.Release();
  batch_callback_.Release();
  on_batch_.Reset();
  receiver_.Reset();
  if (close_phase_) close_phase_->Teardown();
  driver_.Close(done, arg);
}

}  // namespace bridge
}  // namespace iocpnet

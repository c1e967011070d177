// Module init and the per-environment engine.
//
// The addon exports open(onBatch, options?): the first call in a Node
// environment (main thread or worker_thread) creates that environment's
// Engine and its JS object; later calls return the same object. The engine
// lives in the environment's napi instance data and is torn down by an async
// env cleanup hook: sockets closed, every pinned JS value released once, the
// uv handles closed (their close callbacks run before the hook reports done,
// so a worker's loop closes with nothing of ours left on it).
#include <napi.h>

#include "engine.h"
#include "engine_methods.h"
#include "event_batch.h"
#include "js_args.h"
#include "writev.h"

namespace iocpnet {
namespace bridge {
namespace {

struct PerEnv {
  Engine* engine = nullptr;  // created by the first open()
  napi_async_cleanup_hook_handle cleanup_hook = nullptr;
  bool closing = false;      // cleanup hook started; uv handles still closing
  bool env_gone = false;     // instance data finalized while closing
  bool methods_defined = false;  // the engine object has its methods (see Open)
};

void DeletePerEnv(PerEnv* per_env) {
  delete per_env->engine;
  delete per_env;
}

// Instance-data finalizer (napi env teardown). Normally the cleanup hook has
// finished by then; if not, the last close callback frees everything.
void FinalizePerEnv(Napi::Env /*env*/, PerEnv* per_env) {
  if (per_env->closing) {
    per_env->env_gone = true;
  } else {
    DeletePerEnv(per_env);
  }
}

void OnEngineClosed(void* arg) {
  auto* per_env = static_cast<PerEnv*>(arg);
  per_env->closing = false;
  napi_async_cleanup_hook_handle hook = per_env->cleanup_hook;
  per_env->cleanup_hook = nullptr;
  if (per_env->env_gone) DeletePerEnv(per_env);
  napi_remove_async_cleanup_hook(hook);  // tells Node this env's cleanup may go on
}

void OnEnvCleanup(napi_async_cleanup_hook_handle hook, void* arg) {
  auto* per_env = static_cast<PerEnv*>(arg);
  per_env->cleanup_hook = hook;
  per_env->closing = true;
  per_env->engine->Teardown(&OnEngineClosed, per_env);
}

uint32_t OptionalUint(Napi::Object options, const char* name, uint32_t fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) ThrowTypeError(options.Env(), std::string("options.") + name + " must be a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 1 && number <= 4294967295.0)) {
    throw Napi::RangeError::New(options.Env(), std::string("options.") + name + " is out of range");
  }
  return static_cast<uint32_t>(number);
}

bool OptionalBool(Napi::Object options, const char* name, bool fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  if (!value.IsBoolean()) ThrowTypeError(options.Env(), std::string("options.") + name + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

// A nested settings object (options.uring, ...), or an empty one.
Napi::Object Section(Napi::Object options, const char* name) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return Napi::Object::New(options.Env());
  if (!value.IsObject()) ThrowTypeError(options.Env(), std::string("options.") + name + " must be an object");
  return value.As<Napi::Object>();
}

// lib/engine.ts EngineOptions: the shared settings, then one object per backend.
BackendOptions ParseOptions(const Napi::CallbackInfo& info) {
  BackendOptions options;
  if (info[1].IsUndefined() || info[1].IsNull()) return options;
  if (!info[1].IsObject()) ThrowTypeError(info.Env(), "The \"options\" argument must be of type object");
  Napi::Object object = info[1].As<Napi::Object>();
  Napi::Value backend = object.Get("backend");
  if (!backend.IsUndefined()) {
    if (!backend.IsString()) ThrowTypeError(info.Env(), "options.backend must be a string");
    options.name = backend.As<Napi::String>().Utf8Value();
  }
  options.read_buffer_size = OptionalUint(object, "readBufferSize", options.read_buffer_size);
  options.close_timeout_ms = OptionalUint(object, "closeTimeoutMs", options.close_timeout_ms);
  Napi::Object uring = Section(object, "uring");
  options.uring.ring_entries = OptionalUint(uring, "ringEntries", options.uring.ring_entries);
  options.uring.recv_buffer_count = OptionalUint(uring, "recvBufferCount", options.uring.recv_buffer_count);
  options.uring.provide_buffers = OptionalBool(uring, "provideBuffers", options.uring.provide_buffers);
  Napi::Object epoll = Section(object, "epoll");
  options.epoll.events_per_wait = OptionalUint(epoll, "eventsPerWait", options.epoll.events_per_wait);
  Napi::Object iocp = Section(object, "iocp");
  options.iocp.io_threads = OptionalUint(iocp, "ioThreads", options.iocp.io_threads);
  return options;
}

// open(onBatch, options?) -> engine object (one per environment).
//
// Order matters when the environment is being torn down (worker.terminate()
// while JS still runs): any napi call may then fail and throw. The engine
// starts uv handles on the environment's loop, so from the moment it exists
// the cleanup hook must be registered, or the loop is closed with our
// handles open and Node aborts. Failures after that leave the engine to the
// hook; the methods are defined again by the next open().
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PerEnv* per_env = env.GetInstanceData<PerEnv>();
  if (per_env->engine == nullptr) {
    if (!info[0].IsFunction()) ThrowTypeError(env, "The \"onBatch\" argument must be of type function");
    BackendOptions options = ParseOptions(info);
    Napi::Object object = Napi::Object::New(env);
    Engine* engine = Engine::Create(env, options, object, info[0].As<Napi::Function>());
    napi_status status = napi_add_async_cleanup_hook(env, OnEnvCleanup, per_env, nullptr);
    if (status != napi_ok) {
      // Without the hook the engine would outlive its environment's loop.
      engine->Teardown(&Engine::DeleteAfterClose, engine);
      NAPI_THROW_IF_FAILED(env, status, Napi::Value());
    }
    per_env->engine = engine;
  }
  Engine* engine = per_env->engine;
  if (!per_env->methods_defined) {
    DefineEngineMethods(env, engine->receiver(), engine);
    per_env->methods_defined = true;
  }
  return engine->receiver();
}

// The numbers lib/engine.ts shares with the engine, from their one source.
Napi::Object Constants(Napi::Env env) {
  Napi::Object constants = Napi::Object::New(env);
  Napi::Object kinds = Napi::Object::New(env);
  kinds.Set("connection", static_cast<double>(EventKind::kConnection));
  kinds.Set("connect", static_cast<double>(EventKind::kConnect));
  kinds.Set("data", static_cast<double>(EventKind::kData));
  kinds.Set("end", static_cast<double>(EventKind::kEnd));
  kinds.Set("readError", static_cast<double>(EventKind::kReadError));
  kinds.Set("written", static_cast<double>(EventKind::kWritten));
  kinds.Set("shutdown", static_cast<double>(EventKind::kShutdown));
  kinds.Set("closed", static_cast<double>(EventKind::kClosed));
  kinds.Set("sent", static_cast<double>(EventKind::kSent));
  kinds.Set("idle", static_cast<double>(EventKind::kIdle));
  constants.Set("eventKind", kinds);
  Napi::Object modes = Napi::Object::New(env);
  modes.Set("graceful", static_cast<double>(CloseMode::kGraceful));
  modes.Set("abort", static_cast<double>(CloseMode::kAbort));
  modes.Set("reset", static_cast<double>(CloseMode::kReset));
  constants.Set("closeMode", modes);
  constants.Set("recordFields", static_cast<double>(EventBatch::kRecordFields));
  constants.Set("writtenNow", static_cast<double>(kWrittenNow));
  // A write smaller than this is copied by the engine (its Buffer is free at
  // once, and it may complete early); larger ones are pinned (writev.h).
  constants.Set("copyLimit", static_cast<double>(kBorrowThreshold));
  return constants;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<PerEnv, FinalizePerEnv>(new PerEnv());
  exports.Set("open", Napi::Function::New<Open>(env, "open"));
  exports.Set("constants", Constants(env));
  return exports;
}

}  // namespace
}  // namespace bridge
}  // namespace iocpnet

static Napi::Object InitIocpNet(Napi::Env env, Napi::Object exports) { return iocpnet::bridge::Init(env, exports); }

NODE_API_MODULE(iocp_net, InitIocpNet)

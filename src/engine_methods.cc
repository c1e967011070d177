#include "engine_methods.h"

#include <string>

#include "address_info.h"
#include "engine.h"
#include "js_args.h"
#include "writev.h"

namespace iocpnet {
namespace bridge {
namespace {

Engine& EngineOf(const Napi::CallbackInfo& info) { return *static_cast<Engine*>(info.Data()); }

Napi::Value Result(const Napi::CallbackInfo& info, double value) { return Napi::Number::New(info.Env(), value); }

// Runs `call` on the live backend (UV_EBADF once torn down), then refreshes
// the loop's liveness: any call may start or end activity.
template <typename Call>
Napi::Value Invoke(const Napi::CallbackInfo& info, Call call) {
  Engine& engine = EngineOf(info);
  Backend* backend = engine.backend();
  double result = backend == nullptr ? static_cast<double>(UV_EBADF) : call(*backend);
  engine.UpdateLiveness();
  return Result(info, result);
}

// The new handle's number, or the errno.
double HandleOrError(int rc, HandleId handle) { return rc == 0 ? static_cast<double>(handle) : rc; }

Napi::Value ListenTcp(const Napi::CallbackInfo& info) {
  std::string ip = StringArg(info, 0, "ip");
  int port = PortArg(info, 1);
  ListenOptions options;
  options.backlog = static_cast<int>(NumberArg(info, 2, "backlog"));
  options.ipv6_only = BoolArg(info, 3, "ipv6Only");
  options.reuse_port = !info[4].IsUndefined() && BoolArg(info, 4, "reusePort");
  return Invoke(info, [&](Backend& backend) -> double {
    SocketAddress address;
    if (port < 0 || !SocketAddress::FromIp(ip, static_cast<uint16_t>(port), &address)) return UV_EINVAL;
    HandleId handle = kInvalidHandle;
    int rc = backend.Listen(address, options, &handle);
    return HandleOrError(rc, handle);
  });
}

Napi::Value ListenPipe(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "path");
  ListenOptions options;
  options.backlog = static_cast<int>(NumberArg(info, 1, "backlog"));
  return Invoke(info, [&](Backend& backend) -> double {
    SocketAddress address;
    if (!SocketAddress::FromPath(path, &address)) return UV_EINVAL;  // empty (libuv: EINVAL)
    HandleId handle = kInvalidHandle;
    int rc = backend.Listen(address, options, &handle);
    return HandleOrError(rc, handle);
  });
}

Napi::Value ConnectTcp(const Napi::CallbackInfo& info) {
  std::string ip = StringArg(info, 0, "ip");
  int port = PortArg(info, 1);
  bool has_local = !info[2].IsUndefined() && !info[2].IsNull();
  std::string local_ip = has_local ? StringArg(info, 2, "localIp") : std::string();
  int local_port = 0;
  if (!info[3].IsUndefined() && !info[3].IsNull()) local_port = PortArg(info, 3);
  return Invoke(info, [&](Backend& backend) -> double {
    SocketAddress remote;
    SocketAddress local;
    if (port < 0 || local_port < 0 || !SocketAddress::FromIp(ip, static_cast<uint16_t>(port), &remote)) {
      return UV_EINVAL;
    }
    // A local port without a local address binds the remote's family wildcard.
    bool bind_local = has_local || local_port > 0;
    if (bind_local) {
      const std::string& bind_ip = has_local ? local_ip : (remote.family() == AF_INET6 ? "::" : "0.0.0.0");
      if (!SocketAddress::FromIp(bind_ip, static_cast<uint16_t>(local_port), &local)) return UV_EINVAL;
    }
    HandleId handle = kInvalidHandle;
    int rc = backend.Connect(remote, bind_local ? &local : nullptr, &handle);
    return HandleOrError(rc, handle);
  });
}

Napi::Value ConnectPipe(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "path");
  return Invoke(info, [&](Backend& backend) -> double {
    SocketAddress remote;
    if (!SocketAddress::FromPath(path, &remote)) return UV_EINVAL;
    HandleId handle = kInvalidHandle;
    int rc = backend.Connect(remote, nullptr, &handle);
    return HandleOrError(rc, handle);
  });
}

// (fd[, duplicate]): an existing socket descriptor becomes a handle
// (Backend::Open) that owns it, or a copy of it when `duplicate`.
Napi::Value OpenFd(const Napi::CallbackInfo& info) {
  double fd = NumberArg(info, 0, "fd");
  bool duplicate = !info[1].IsUndefined() && BoolArg(info, 1, "duplicate");
  double backlog = info[2].IsUndefined() ? 0 : NumberArg(info, 2, "listenBacklog");
  return Invoke(info, [&](Backend& backend) -> double {
    if (!(fd >= 0 && fd <= 2147483647.0) || fd != static_cast<double>(static_cast<int64_t>(fd))) return UV_EINVAL;
    // The caller converts the backlog (ToInt32, as node's handle.listen does); here only its range.
    // Negative: only a connected socket (native/backend.h).
    int listen_backlog = backlog >= 1 ? (backlog < 2147483647.0 ? static_cast<int>(backlog) : 2147483647)
                                      : (backlog < 0 ? -1 : 0);
    HandleId handle = kInvalidHandle;
    int rc = backend.Open(static_cast<intptr_t>(fd), duplicate, listen_backlog, &handle);
    return HandleOrError(rc, handle);
  });
}

Napi::Value ReadStart(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  return Invoke(info, [&](Backend& backend) -> double { return backend.ReadStart(handle); });
}

Napi::Value ReadStop(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  return Invoke(info, [&](Backend& backend) -> double { return backend.ReadStop(handle); });
}

Napi::Value WritevMethod(const Napi::CallbackInfo& info) { return Result(info, Writev(EngineOf(info), info)); }

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  return Invoke(info, [&](Backend& backend) -> double { return backend.Shutdown(handle); });
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  double mode = NumberArg(info, 1, "mode");
  return Invoke(info, [&](Backend& backend) -> double {
    if (mode != 0 && mode != 1 && mode != 2) return UV_EINVAL;
    return backend.Close(handle, static_cast<CloseMode>(static_cast<int>(mode)));
  });
}

Napi::Value SetNoDelay(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  bool enable = BoolArg(info, 1, "enable");
  return Invoke(info, [&](Backend& backend) -> double { return backend.SetNoDelay(handle, enable); });
}

// A whole number 0..2^32-1, or `fallback` when undefined; else -1.
double Uint32ArgOr(const Napi::CallbackInfo& info, size_t index, const char* name, double fallback) {
  if (info[index].IsUndefined()) return fallback;
  double value = NumberArg(info, index, name);
  return value >= 0 && value <= 4294967295.0 && value == static_cast<double>(static_cast<uint64_t>(value)) ? value : -1;
}

// (handle, enable, initialDelaySecs[, intervalSecs = 1, count = 10]): the
// interval and count node sets when it is not asked for others.
Napi::Value SetKeepAlive(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  bool enable = BoolArg(info, 1, "enable");
  double delay = Uint32ArgOr(info, 2, "initialDelaySecs", -1);
  double interval = Uint32ArgOr(info, 3, "intervalSecs", 1);
  double count = Uint32ArgOr(info, 4, "count", 10);
  return Invoke(info, [&](Backend& backend) -> double {
    if (delay < 0 || interval < 0 || count < 0) return UV_EINVAL;
    return backend.SetKeepAlive(handle, enable, static_cast<unsigned int>(delay), static_cast<unsigned int>(interval),
                                static_cast<unsigned int>(count));
  });
}

Napi::Value SetTypeOfService(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  double tos = NumberArg(info, 1, "tos");
  return Invoke(info, [&](Backend& backend) -> double {
    if (!(tos >= 0 && tos <= 255)) return UV_EINVAL;
    return backend.SetTypeOfService(handle, static_cast<int>(tos));
  });
}

// The TOS byte (>= 0) or an errno (< 0), as node's handle returns it.
Napi::Value GetTypeOfService(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  return Invoke(info, [&](Backend& backend) -> double {
    int tos = 0;
    int rc = backend.GetTypeOfService(handle, &tos);
    return rc != 0 ? rc : tos;
  });
}

Napi::Value SetUserTimeout(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  double timeout = Uint32ArgOr(info, 1, "timeoutMs", -1);
  return Invoke(info, [&](Backend& backend) -> double {
    if (timeout < 0) return UV_EINVAL;
    return backend.SetUserTimeout(handle, static_cast<unsigned int>(timeout));
  });
}

Napi::Value SetIdleTimeout(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  double timeout = Uint32ArgOr(info, 1, "timeoutMs", -1);
  return Invoke(info, [&](Backend& backend) -> double {
    if (timeout < 0) return UV_EINVAL;
    return backend.SetIdleTimeout(handle, static_cast<uint32_t>(timeout));
  });
}

template <int (Backend::*Get)(HandleId, SocketAddress*) const>
Napi::Value AddressOf(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  if (!info[1].IsObject()) ThrowTypeError(info.Env(), "The \"out\" argument must be of type object");
  Napi::Object out = info[1].As<Napi::Object>();
  Backend* backend = EngineOf(info).backend();
  if (backend == nullptr) return Result(info, UV_EBADF);
  SocketAddress address;
  int rc = (backend->*Get)(handle, &address);
  if (rc == 0) FillAddressInfo(out, address);
  return Result(info, rc);
}

Napi::Value Ref(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  return Invoke(info, [&](Backend& backend) -> double { return backend.Ref(handle, true); });
}

Napi::Value Unref(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  return Invoke(info, [&](Backend& backend) -> double { return backend.Ref(handle, false); });
}

Napi::Value QueuedBytes(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  Backend* backend = EngineOf(info).backend();
  return Result(info, backend == nullptr ? 0 : static_cast<double>(backend->QueuedBytes(handle)));
}

Napi::Value CommittedBytes(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  Backend* backend = EngineOf(info).backend();
  return Result(info, backend == nullptr ? 0 : static_cast<double>(backend->CommittedBytes(handle)));
}

Napi::Value NotifyWhenCommittedSent(const Napi::CallbackInfo& info) {
  HandleId handle = HandleArg(info, 0);
  return Invoke(info, [&](Backend& backend) -> double { return backend.NotifyWhenCommittedSent(handle); });
}

// Diagnostics: {pendingWrites}: writes accepted and not yet completed (each
// holds its callback and pins until its kWritten).
Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Object stats = Napi::Object::New(info.Env());
  stats.Set("pendingWrites", static_cast<double>(EngineOf(info).pins().open_count()));
  return stats;
}

template <Napi::Function::Callback callback>
void Method(Napi::Env env, Napi::Object target, const char* name, Engine* engine) {
  target.Set(name, Napi::Function::New<callback>(env, name, engine));
}

}  // namespace

// closePhase(fn): fn() in the loop's close phase (src/close_phase.h).
Napi::Value ClosePhaseMethod(const Napi::CallbackInfo& info) {
  Engine& engine = EngineOf(info);
  if (!info[0].IsFunction()) return Result(info, UV_EINVAL);
  ClosePhase* close_phase = engine.close_phase();
  if (engine.backend() == nullptr || close_phase == nullptr) return Result(info, UV_EBADF);
  return Result(info, close_phase->Schedule(info[0]));
}

void DefineEngineMethods(Napi::Env env, Napi::Object target, Engine* engine) {
  Method<ListenTcp>(env, target, "listenTcp", engine);
  Method<ListenPipe>(env, target, "listenPipe", engine);
  Method<ConnectTcp>(env, target, "connectTcp", engine);
  Method<ConnectPipe>(env, target, "connectPipe", engine);
  Method<OpenFd>(env, target, "openFd", engine);
  Method<ReadStart>(env, target, "readStart", engine);
  Method<ReadStop>(env, target, "readStop", engine);
  Method<WritevMethod>(env, target, "writev", engine);
  Method<Shutdown>(env, target, "shutdown", engine);
  Method<Close>(env, target, "close", engine);
  Method<SetNoDelay>(env, target, "setNoDelay", engine);
  Method<SetKeepAlive>(env, target, "setKeepAlive", engine);
  Method<SetTypeOfService>(env, target, "setTypeOfService", engine);
  Method<GetTypeOfService>(env, target, "getTypeOfService", engine);
  Method<SetUserTimeout>(env, target, "setUserTimeout", engine);
  Method<SetIdleTimeout>(env, target, "setIdleTimeout", engine);
  Method<AddressOf<&Backend::GetSockName>>(env, target, "sockname", engine);
  Method<AddressOf<&Backend::GetPeerName>>(env, target, "peername", engine);
  Method<Ref>(env, target, "ref", engine);
  Method<Unref>(env, target, "unref", engine);
  Method<QueuedBytes>(env, target, "queuedBytes", engine);
  Method<CommittedBytes>(env, target, "committedBytes", engine);
  Method<NotifyWhenCommittedSent>(env, target, "notifyWhenCommittedSent", engine);
  Method<Stats>(env, target, "stats", engine);
  Method<ClosePhaseMethod>(env, target, "closePhase", engine);
  target.Set("backend", Napi::String::New(env, engine->backend()->Name()));
}

}  // namespace bridge
}  // namespace iocpnet

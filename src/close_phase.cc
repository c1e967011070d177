#include "close_phase.h"

#include <new>

namespace iocpnet {
namespace bridge {

int ClosePhase::Schedule(napi_value fn) {
  Tick* tick = new (std::nothrow) Tick();
  if (tick == nullptr) return UV_ENOMEM;
  if (napi_create_reference(env_, fn, 1, &tick->fn) != napi_ok) {
    delete tick;
    return UV_EINVAL;
  }
  int rc = uv_idle_init(loop_, &tick->handle);
  if (rc != 0) {
    napi_delete_reference(env_, tick->fn);
    delete tick;
    return rc;
  }
  tick->owner = this;
  tick->next = pending_;
  if (pending_ != nullptr) pending_->prev = tick;
  pending_ = tick;
  tick->handle.data = tick;
  uv_close(reinterpret_cast<uv_handle_t*>(&tick->handle), OnClosed);
  return 0;
}

void ClosePhase::OnClosed(uv_handle_t* handle) {
  Tick* tick = static_cast<Tick*>(handle->data);
  if (tick->owner != nullptr) {
    ClosePhase* owner = tick->owner;
    owner->Unlink(tick);
    owner->Run(tick);
  }
  delete tick;
}

void ClosePhase::Unlink(Tick* tick) {
  if (tick->prev != nullptr) tick->prev->next = tick->next;
  if (tick->next != nullptr) tick->next->prev = tick->prev;
  if (pending_ == tick) pending_ = tick->next;
  tick->prev = tick->next = nullptr;
  tick->owner = nullptr;
}

// As node runs a handle's close callback (io_callback.h). Raw napi calls
// with statuses checked: during termination each may fail, and the call is
// then dropped.
void ClosePhase::Run(Tick* tick) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env_, &scope) != napi_ok) {
    napi_delete_reference(env_, tick->fn);
    return;
  }
  napi_value fn = nullptr;
  napi_value receiver = nullptr;
  // MakeCallback needs an object as `this`: the global, as for a function
  // called with none in sloppy mode.
  bool ok = napi_get_reference_value(env_, tick->fn, &fn) == napi_ok && fn != nullptr &&
            napi_get_global(env_, &receiver) == napi_ok;
  napi_delete_reference(env_, tick->fn);
  tick->fn = nullptr;
  if (ok) callback_.Call(nullptr, receiver, fn, 0, nullptr);
  napi_close_handle_scope(env_, scope);
}

void ClosePhase::Teardown() {
  while (pending_ != nullptr) {
    Tick* tick = pending_;
    if (tick->fn != nullptr) napi_delete_reference(env_, tick->fn);
    tick->fn = nullptr;
    Unlink(tick);  // its callback, if the loop still runs it, only frees it
  }
  callback_.Release();
}

}  // namespace bridge
}  // namespace iocpnet

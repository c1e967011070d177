#include "io_callback.h"

namespace iocpnet {
namespace bridge {

void IoCallback::Call(napi_value resource, napi_value receiver, napi_value fn, size_t argc, const napi_value* argv) {
  if (!EnsureContext(resource)) return;
  napi_value result;
  if (napi_make_callback(env_, context_, receiver, fn, argc, argv, &result) != napi_ok) ReportException();
}

bool IoCallback::EnsureContext(napi_value resource) {
  if (context_ != nullptr) return true;
  napi_value name;
  if (resource == nullptr && napi_create_object(env_, &resource) != napi_ok) return false;
  if (napi_create_string_utf8(env_, name_, NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env_, resource, name, &context_) != napi_ok) {
    context_ = nullptr;
    return false;
  }
  return true;
}

// No pending exception means JS could not run at all (termination):
// nothing to report.
void IoCallback::ReportException() {
  bool pending = false;
  napi_value error;
  if (napi_is_exception_pending(env_, &pending) == napi_ok && pending &&
      napi_get_and_clear_last_exception(env_, &error) == napi_ok) {
    napi_fatal_exception(env_, error);
  }
}

void IoCallback::Release() {
  if (context_ != nullptr) napi_async_destroy(env_, context_);
  context_ = nullptr;
}

}  // namespace bridge
}  // namespace iocpnet

// CreateBackend: picks the backend by name ("" = best available here).
#include "backend.h"

#include "errors.h"

#if defined(__linux__)
#include "uring/backend_uring.h"
#endif

namespace iocpnet {

std::unique_ptr<Backend> CreateBackend(const BackendOptions& options, int* error, std::string* why) {
  int ignored_error = 0;
  std::string ignored_why;
  if (error == nullptr) error = &ignored_error;
  if (why == nullptr) why = &ignored_why;
  const std::string& name = options.name;
#if defined(__linux__)
  if (name.empty() || name == "uring") return uring::CreateUringBackend(options, error, why);
#endif
  if (name == "epoll") {
    *error = UvErrorFromSystem(ENOSYS);
    *why = "the epoll backend is not built yet; use IOCP_NET_BACKEND=uring";
    return nullptr;
  }
  if (name == "iocp") {
    *error = UvErrorFromSystem(ENOSYS);
    *why = "the IOCP backend is not built yet (Windows only)";
    return nullptr;
  }
  *error = UvErrorFromSystem(EINVAL);
  *why = "unknown backend name \"" + name + "\" (expected uring, epoll or iocp)";
  return nullptr;
}

}  // namespace iocpnet

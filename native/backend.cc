// CreateBackend: picks the backend by name ("" = the best that works here).
#include "backend.h"

#include "errors.h"

#if defined(__linux__)
#include "epoll/backend_epoll.h"
#include "uring/backend_uring.h"
#endif
#if defined(_WIN32)
#include "iocp/backend_iocp.h"
#endif

namespace iocpnet {

std::unique_ptr<Backend> CreateBackend(const BackendOptions& options, int* error, std::string* why) {
  int ignored_error = 0;
  std::string ignored_why;
  if (error == nullptr) error = &ignored_error;
  if (why == nullptr) why = &ignored_why;
  const std::string& name = options.name;
#if defined(__linux__)
  if (name == "uring") return uring::CreateUringBackend(options, error, why);
  if (name == "epoll") return epoll::CreateEpollBackend(options, error, why);
  if (name.empty()) {
    // io_uring where it works (setup, the features we use, the buffer ring),
    // else epoll, silently: io_uring is refused by Docker's and containerd's
    // default seccomp profiles and by kernel.io_uring_disabled.
    std::unique_ptr<Backend> backend = uring::CreateUringBackend(options, error, why);
    if (backend) return backend;
    return epoll::CreateEpollBackend(options, error, why);
  }
  if (name == "iocp") {
    *error = UV_ENOSYS;
    *why = "the IOCP backend is Windows only";
    return nullptr;
  }
#elif defined(_WIN32)
  if (name.empty() || name == "iocp") return iocp::CreateIocpBackend(options, error, why);
  if (name == "uring" || name == "epoll") {
    *error = UV_ENOSYS;
    *why = "the " + name + " backend is Linux only";
    return nullptr;
  }
#endif
  *error = UV_EINVAL;
  *why = "unknown backend name \"" + name + "\" (expected uring, epoll or iocp)";
  return nullptr;
}

}  // namespace iocpnet

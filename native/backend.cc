// CreateBackend: picks the backend by name ("" = the default: epoll on Linux, IOCP on Windows).
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
    // epoll by default: it is ahead where most users are, request/response
    // (a sequential round trip's p50 1 us lower, HTTP 5 % more requests:
    // an io_uring receive that completes for a thread asleep in epoll_wait
    // is task work, which costs one more wait and wake per message), and it
    // works in every container (Docker's and containerd's default seccomp
    // profiles refuse io_uring). io_uring ("uring") is ahead on deep
    // streaming at 1,000 connections (1.32x node:net against 1.05x):
    // bench/RESULTS.md.
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

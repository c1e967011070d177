// The epoll Backend (Linux): readiness emulating completions, for where
// io_uring is refused (seccomp, kernel.io_uring_disabled). See
// backend_epoll.cc; this header only exposes the factory.
#pragma once

#include <memory>
#include <string>

#include "backend.h"

namespace iocpnet {
namespace epoll {

// Null with *error / *why set when epoll cannot be used here.
std::unique_ptr<Backend> CreateEpollBackend(const BackendOptions& options, int* error, std::string* why);

}  // namespace epoll
}  // namespace iocpnet

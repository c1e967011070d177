// The io_uring Backend (Linux >= 6.1). See backend_uring.cc for the state
// machines; this header only exposes the factory.
#pragma once

#include <memory>
#include <string>

#include "backend.h"

namespace iocpnet {
namespace uring {

// Null with *error / *why set when io_uring cannot be used here.
std::unique_ptr<Backend> CreateUringBackend(const BackendOptions& options, int* error, std::string* why);

}  // namespace uring
}  // namespace iocpnet

// The IOCP Backend (Windows): I/O completion ports under EngineCore. See
// backend_iocp.cc; this header only exposes the factory.
#pragma once

#include <memory>
#include <string>

#include "backend.h"

namespace iocpnet {
namespace iocp {

// Null with *error / *why set when the backend cannot start here.
std::unique_ptr<Backend> CreateIocpBackend(const BackendOptions& options, int* error, std::string* why);

// I/O threads used when options.iocp.io_threads is 0 (docs/DESIGN.md, rule
// 12, has the measurement behind it).
unsigned int DefaultIoThreads();

}  // namespace iocp
}  // namespace iocpnet

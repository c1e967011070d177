// The overlapped calls the IOCP backend makes, for sockets and named pipes
// alike, each saying how its OVERLAPPED will be completed: by a packet on the
// port (kPending), or right now with no packet to come (kDone: it succeeded at
// once on a handle that skips the port on success, it finished in a way that
// queues nothing, or it failed to start: rule 4).
#pragma once

#include <winsock2.h>
#include <windows.h>

#include <cstddef>

#include "iocp/winsock_ext.h"
#include "platform/io_buffer.h"
#include "platform/socket_ops.h"
#include "socket_address.h"

namespace iocpnet {
namespace iocp {

struct Posted {
  enum Kind { kPending, kDone } kind;
  int status = 0;   // kDone: 0 or a libuv errno
  DWORD bytes = 0;  // kDone: bytes transferred
};

// The kernel handle an operation on `fd` goes to (the socket, or the pipe
// instance).
HANDLE NativeHandle(SocketHandle fd);

// A zero-byte receive: completes when bytes (or the end, or an error) wait.
Posted PostReadiness(SocketHandle fd, bool skip_port, OVERLAPPED* overlapped);
// One gathered send (a pipe takes the first buffer: WriteFile has no gather;
// the core sends the rest next, as after any partial send).
Posted PostSend(SocketHandle fd, const IoBuffer* buffers, size_t count, bool skip_port, OVERLAPPED* overlapped);
// ConnectEx to `target` on a bound socket.
Posted PostConnect(const WinsockExtensions& ext, SOCKET socket, const SocketAddress& target, bool skip_port,
                   OVERLAPPED* overlapped);
// AcceptEx into `accepted` (addresses written to `addresses`).
Posted PostAccept(const WinsockExtensions& ext, SOCKET listener, SOCKET accepted, char* addresses, bool skip_port,
                  OVERLAPPED* overlapped);
// ConnectNamedPipe on a listener's pipe instance.
Posted PostPipeAccept(HANDLE instance, OVERLAPPED* overlapped);

}  // namespace iocp
}  // namespace iocpnet

// Named pipes (Windows): what node gives a `path` on Windows (\\.\pipe\...).
//
// A PipeEndpoint is the platform half of a SocketHandle that is a pipe: the
// pipe's name and one instance handle. Which instance depends on the role:
// - a listener's endpoint holds the first instance, made with
//   FILE_FLAG_FIRST_PIPE_INSTANCE so that a name in use is EADDRINUSE (as
//   libuv); the backend takes it over (TakeInstance) to wait for the first
//   client and makes more (NewInstance);
// - an accepted connection's endpoint holds the instance a client reached;
// - a client's endpoint holds nothing until ConnectPipe opens the name.
// sockets::Close (socket_ops_win.cc) closes the handle, if any, and frees
// the endpoint: one owner, freed once, like a socket.
#pragma once

#include <winsock2.h>
#include <windows.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "platform/socket_ops.h"
#include "socket_address.h"

namespace iocpnet {

struct PipeEndpoint {
  std::string path;        // as the user gave it (UTF-8)
  std::wstring name;       // for CreateNamedPipeW / CreateFileW
  HANDLE handle = INVALID_HANDLE_VALUE;
  bool listener = false;
  bool associated = false;  // the handle is bound to a completion port already
  bool write_shut = false;  // ShutdownWrite was called (a pipe has no half-close)
};

namespace pipes {

// The listener's first instance (EADDRINUSE if the name is taken).
int Listen(const SocketAddress& address, SocketHandle* out);
// A client endpoint, not yet connected (the name is opened by ConnectPipe).
int NewClient(const SocketAddress& address, SocketHandle* out);
// Opens the name, without waiting: 0, UV_ENOENT (no such pipe), UV_EBUSY
// (no instance free now: the caller tries again), or another error (a name
// that opens something other than a pipe: what libuv reports for it).
int ConnectPipe(SocketHandle client);

// Instances of a listener's name, for the backend's pending connects.
HANDLE TakeInstance(SocketHandle listener);  // the first one (once), else INVALID_HANDLE_VALUE
int NewInstance(SocketHandle listener, HANDLE* out);
// An endpoint for an instance a client connected to (the handle is the
// endpoint's from now on; `associated` carries over).
SocketHandle Accepted(SocketHandle listener, HANDLE instance, bool associated);

void Close(SocketHandle pipe);
int GetName(SocketHandle pipe, SocketAddress* out);
// Bytes read into `data` now, 0 at the end of the stream, UV_EAGAIN when
// none wait, or the error. Never blocks and queues no completion packet.
int64_t ReceiveNow(SocketHandle pipe, uint8_t* data, size_t size);

}  // namespace pipes
}  // namespace iocpnet

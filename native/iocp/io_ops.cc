#include "iocp/io_ops.h"

#include <mswsock.h>

#include "errors.h"
#include "platform/pipe_win.h"

namespace iocpnet {
namespace iocp {

namespace {

Posted Pending() { return Posted{Posted::kPending, 0, 0}; }
Posted Done(int status, DWORD bytes = 0) { return Posted{Posted::kDone, status, bytes}; }

// A call that returned success: on a handle that skips the port on success
// nothing is queued; else the packet comes as for a pending call.
Posted Succeeded(bool skip_port, DWORD bytes) { return skip_port ? Done(0, bytes) : Pending(); }

// A call that returned failure: pending after all, or failed to start.
Posted Failed(DWORD error) {
  if (error == ERROR_IO_PENDING) return Pending();  // == WSA_IO_PENDING
  return Done(UvErrorFromSystem(static_cast<int>(error)));
}

}  // namespace

HANDLE NativeHandle(SocketHandle fd) {
  return fd.pipe != nullptr ? fd.pipe->handle : reinterpret_cast<HANDLE>(fd.socket);
}

Posted PostReadiness(SocketHandle fd, bool skip_port, OVERLAPPED* overlapped) {
  if (fd.pipe != nullptr) {
    static char nothing;
    if (ReadFile(fd.pipe->handle, &nothing, 0, nullptr, overlapped)) return Succeeded(skip_port, 0);
    return Failed(GetLastError());
  }
  WSABUF nothing{0, nullptr};
  DWORD bytes = 0;
  DWORD flags = 0;
  if (WSARecv(fd.socket, &nothing, 1, &bytes, &flags, overlapped, nullptr) == 0) return Succeeded(skip_port, 0);
  return Failed(WSAGetLastError());
}

Posted PostSend(SocketHandle fd, const IoBuffer* buffers, size_t count, bool skip_port, OVERLAPPED* overlapped) {
  DWORD bytes = 0;
  if (fd.pipe != nullptr) {
    if (WriteFile(fd.pipe->handle, buffers[0].buf, buffers[0].len, &bytes, overlapped)) {
      return Succeeded(skip_port, bytes);
    }
    return Failed(GetLastError());
  }
  // WSASend copies the WSABUF array; the bytes stay the kernel's until the
  // completion (rule 2: the send queue keeps them).
  if (WSASend(fd.socket, const_cast<IoBuffer*>(buffers), static_cast<DWORD>(count), &bytes, 0, overlapped, nullptr) ==
      0) {
    return Succeeded(skip_port, bytes);
  }
  return Failed(WSAGetLastError());
}

Posted PostConnect(const WinsockExtensions& ext, SOCKET socket, const SocketAddress& target, bool skip_port,
                   OVERLAPPED* overlapped) {
  if (ext.connect_ex(socket, target.raw(), target.length(), nullptr, 0, nullptr, overlapped)) {
    return Succeeded(skip_port, 0);
  }
  return Failed(WSAGetLastError());
}

Posted PostAccept(const WinsockExtensions& ext, SOCKET listener, SOCKET accepted, char* addresses, bool skip_port,
                  OVERLAPPED* overlapped) {
  DWORD bytes = 0;
  if (ext.accept_ex(listener, accepted, addresses, 0, kAcceptAddressBytes, kAcceptAddressBytes, &bytes, overlapped)) {
    return Succeeded(skip_port, 0);
  }
  return Failed(WSAGetLastError());
}

Posted PostPipeAccept(HANDLE instance, OVERLAPPED* overlapped) {
  if (ConnectNamedPipe(instance, overlapped)) return Pending();
  DWORD error = GetLastError();
  // A client came between CreateNamedPipe and this call: connected already,
  // and no packet is queued for it.
  if (error == ERROR_PIPE_CONNECTED) return Done(0);
  return Failed(error);
}

}  // namespace iocp
}  // namespace iocpnet

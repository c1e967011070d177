#include "platform/pipe_win.h"

#include "errors.h"

namespace iocpnet {
namespace pipes {

namespace {

constexpr DWORD kPipeBufferBytes = 64 * 1024;  // libuv's in and out buffer sizes

std::wstring Widen(const std::string& text) {
  if (text.empty()) return std::wstring();
  int length = MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring wide(static_cast<size_t>(length > 0 ? length : 0), L'\0');
  if (length > 0) MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), &wide[0], length);
  return wide;
}

PipeEndpoint* NewEndpoint(const SocketAddress& address, bool listener) {
  PipeEndpoint* endpoint = new PipeEndpoint();
  endpoint->path = address.path();
  endpoint->name = Widen(endpoint->path);
  endpoint->listener = listener;
  return endpoint;
}

SocketHandle Wrap(PipeEndpoint* endpoint) {
  SocketHandle handle;
  handle.pipe = endpoint;
  return handle;
}

HANDLE CreateInstance(const std::wstring& name, bool first) {
  return CreateNamedPipeW(name.c_str(),
                          PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
                          PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, PIPE_UNLIMITED_INSTANCES, kPipeBufferBytes,
                          kPipeBufferBytes, 0, nullptr);
}

}  // namespace

int Listen(const SocketAddress& address, SocketHandle* out) {
  PipeEndpoint* endpoint = NewEndpoint(address, true);
  endpoint->handle = CreateInstance(endpoint->name, true);
  if (endpoint->handle == INVALID_HANDLE_VALUE) {
    DWORD error = GetLastError();
    delete endpoint;
    // As libuv's uv_pipe_bind: a name another server has is "in use"; a name
    // that is no pipe name at all is refused.
    if (error == ERROR_ACCESS_DENIED) return UV_EADDRINUSE;
    if (error == ERROR_PATH_NOT_FOUND || error == ERROR_INVALID_NAME) return UV_EACCES;
    return UvErrorFromSystem(static_cast<int>(error));
  }
  *out = Wrap(endpoint);
  return 0;
}

int NewClient(const SocketAddress& address, SocketHandle* out) {
  *out = Wrap(NewEndpoint(address, false));
  return 0;
}

int ConnectPipe(SocketHandle client) {
  PipeEndpoint* endpoint = client.pipe;
  HANDLE handle = CreateFileW(endpoint->name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                              FILE_FLAG_OVERLAPPED, nullptr);
  if (handle == INVALID_HANDLE_VALUE) return UvLastError();
  // CreateFileW opens any file: a regular file, a device ('dir\nul'), the
  // pipe file system's root ('\\.\pipe\'). As libuv (uv__set_pipe_handle),
  // what cannot be put in byte-read mode is no pipe and fails the connect
  // with that call's error (node.exe under Wine: EBADF), and not later, at
  // the first read.
  DWORD mode = PIPE_READMODE_BYTE | PIPE_WAIT;
  if (!SetNamedPipeHandleState(handle, &mode, nullptr, nullptr)) {
    DWORD error = GetLastError();
    int rc;
    if (error == ERROR_ACCESS_DENIED) {
      // A handle without write access may not set the mode, yet be in it.
      DWORD current = 0;
      if (!GetNamedPipeHandleState(handle, &current, nullptr, nullptr, nullptr, nullptr, 0)) {
        rc = UvLastError();
      } else {
        rc = (current & PIPE_NOWAIT) != 0 ? UV_EACCES : 0;
      }
    } else {
      rc = error == ERROR_INVALID_PARAMETER ? UV_ENOTSOCK : UvErrorFromSystem(static_cast<int>(error));
    }
    if (rc != 0) {
      CloseHandle(handle);
      return rc;
    }
  }
  endpoint->handle = handle;
  return 0;
}

HANDLE TakeInstance(SocketHandle listener) {
  HANDLE instance = listener.pipe->handle;
  listener.pipe->handle = INVALID_HANDLE_VALUE;
  return instance;
}

int NewInstance(SocketHandle listener, HANDLE* out) {
  HANDLE instance = CreateInstance(listener.pipe->name, false);
  if (instance == INVALID_HANDLE_VALUE) return UvLastError();
  *out = instance;
  return 0;
}

SocketHandle Accepted(SocketHandle listener, HANDLE instance, bool associated) {
  PipeEndpoint* endpoint = new PipeEndpoint();
  endpoint->path = listener.pipe->path;
  endpoint->name = listener.pipe->name;
  endpoint->handle = instance;
  endpoint->associated = associated;
  return Wrap(endpoint);
}

void Close(SocketHandle pipe) {
  if (pipe.pipe == nullptr) return;
  if (pipe.pipe->handle != INVALID_HANDLE_VALUE) CloseHandle(pipe.pipe->handle);
  delete pipe.pipe;
}

int GetName(SocketHandle pipe, SocketAddress* out) {
  return SocketAddress::FromPath(pipe.pipe->path, out) ? 0 : UV_ENAMETOOLONG;
}

int64_t ReceiveNow(SocketHandle pipe, uint8_t* data, size_t size) {
  HANDLE handle = pipe.pipe->handle;
  DWORD available = 0;
  if (!PeekNamedPipe(handle, nullptr, 0, nullptr, &available, nullptr)) {
    DWORD error = GetLastError();
    return error == ERROR_BROKEN_PIPE ? 0 : UvErrorFromSystem(static_cast<int>(error));  // the peer closed: EOF
  }
  if (available == 0) return UV_EAGAIN;
  DWORD want = available < size ? available : static_cast<DWORD>(size);
  // The bytes are there, so the read completes at once. An event whose low
  // bit is set keeps the completion off the port the handle is bound to.
  HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (event == nullptr) return UvLastError();
  OVERLAPPED overlapped{};
  overlapped.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<uintptr_t>(event) | 1);
  DWORD got = 0;
  int64_t result;
  if (ReadFile(handle, data, want, &got, &overlapped) ||
      (GetLastError() == ERROR_IO_PENDING && GetOverlappedResult(handle, &overlapped, &got, TRUE))) {
    result = static_cast<int64_t>(got);
  } else {
    DWORD error = GetLastError();
    result = error == ERROR_BROKEN_PIPE ? 0 : UvErrorFromSystem(static_cast<int>(error));
  }
  CloseHandle(event);
  return result;
}

}  // namespace pipes
}  // namespace iocpnet

// Winsock calls (Windows): see socket_ops.h. What libuv's src/win/tcp.c does
// for node.exe, so err.code/errno/syscall match it: sockets are overlapped,
// not inherited, non-blocking for the synchronous calls (TryWrite, the
// discard before a close); a listener gets no SO_REUSEADDR (on Windows it
// lets another socket steal a bound port, unlike Unix).
#include "platform/socket_ops.h"

#include <winsock2.h>
#include <mstcpip.h>
#include <ws2tcpip.h>

#include <mutex>

#include "errors.h"
#include "platform/pipe_win.h"
#include "platform/winsock_options.h"

namespace iocpnet {
namespace sockets {

namespace {

// Winsock needs one WSAStartup per process before any call; it is never
// undone (the process may still have sockets when a backend goes).
int StartWinsock() {
  static int result = [] {
    WSADATA data;
    int rc = WSAStartup(MAKEWORD(2, 2), &data);
    return rc == 0 ? 0 : UvErrorFromSystem(rc);
  }();
  return result;
}

int CloseWithError(SOCKET socket) {
  int error = UvLastError();
  closesocket(socket);
  return error;
}

int SetOption(SOCKET socket, int level, int name, int value) {
  return setsockopt(socket, level, name, reinterpret_cast<const char*>(&value), sizeof(value)) == SOCKET_ERROR
             ? UvLastError()
             : 0;
}

int SetNonBlocking(SOCKET socket) {
  u_long yes = 1;
  return ioctlsocket(socket, FIONBIO, &yes) == SOCKET_ERROR ? UvLastError() : 0;
}

}  // namespace

// A TCP socket (AF_UNIX names a pipe on Windows: see OpenListener).
int Open(int family, SocketHandle* out) {
  int rc = StartWinsock();
  if (rc != 0) return rc;
  if (family != AF_INET && family != AF_INET6) return UV_EAFNOSUPPORT;
  SOCKET socket = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                             WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (socket == INVALID_SOCKET) return UvLastError();
  rc = SetNonBlocking(socket);
  if (rc != 0) {
    closesocket(socket);
    return rc;
  }
  *out = SocketHandle(socket);
  return 0;
}

void Close(SocketHandle handle) {
  if (handle.pipe != nullptr) {
    pipes::Close(handle);
  } else if (handle.socket != INVALID_SOCKET) {
    closesocket(handle.socket);
  }
}

// reuse_port: Windows has no listeners that share a port's connections.
// SO_REUSEADDR is not that (it lets a second socket take over the bound
// port, and the first gets nothing): as libuv's UV_TCP_REUSEPORT, UV_ENOTSUP.
int OpenListener(const SocketAddress& address, int backlog, bool ipv6_only, bool reuse_port, SocketHandle* out) {
  int family = address.family();
  if (family == AF_UNIX) return pipes::Listen(address, out);
  if (reuse_port) return UV_ENOTSUP;
  SocketHandle handle;
  int rc = Open(family, &handle);
  if (rc != 0) return rc;
  SOCKET socket = handle.socket;
  // libuv ignores a failure here (no IPv4 stack); so do we.
  if (family == AF_INET6) SetOption(socket, IPPROTO_IPV6, IPV6_V6ONLY, ipv6_only ? 1 : 0);
  if (bind(socket, address.raw(), address.length()) == SOCKET_ERROR) return CloseWithError(socket);
  if (listen(socket, backlog) == SOCKET_ERROR) return CloseWithError(socket);
  *out = handle;
  return 0;
}

// ConnectEx needs a bound socket: without `local`, the wildcard address of
// the family, as libuv binds it.
// A pipe client is opened by the backend's connect (ConnectNow).
int OpenClient(const SocketAddress& remote, const SocketAddress* local, SocketHandle* out) {
  int family = remote.family();
  if (family == AF_UNIX) return pipes::NewClient(remote, out);
  SocketHandle handle;
  int rc = Open(family, &handle);
  if (rc != 0) return rc;
  SOCKET socket = handle.socket;
  SocketAddress any;
  if (local == nullptr) {
    SocketAddress::FromIp(family == AF_INET6 ? "::" : "0.0.0.0", 0, &any);
    local = &any;
  }
  // Dual-stack, as libuv's bind makes every IPv6 TCP socket it binds without
  // UV_TCP_IPV6ONLY (Windows' default is IPv6 only): a connect to an
  // IPv4-mapped address (::ffff:127.0.0.1) reaches IPv4, as node.exe's does.
  // libuv ignores a failure here; so do we.
  if (family == AF_INET6) SetOption(socket, IPPROTO_IPV6, IPV6_V6ONLY, 0);
  if (bind(socket, local->raw(), local->length()) == SOCKET_ERROR) return CloseWithError(socket);
  *out = handle;
  return 0;
}

// The core asks only for TCP options of TCP handles.
int SetNoDelay(SocketHandle handle, bool enable) {
  return SetOption(handle.socket, IPPROTO_TCP, TCP_NODELAY, enable ? 1 : 0);
}

// A socket made elsewhere (a SOCKET value; named pipes are not taken). It
// must have been made overlapped (socket() does) for the port to take it.
// Its family and type come from its protocol info, which an unbound socket
// has too (getsockname fails on one).
int Inspect(SocketHandle handle, SocketKind* out) {
  int rc = StartWinsock();
  if (rc != 0) return rc;
  if (handle.pipe != nullptr || handle.socket == INVALID_SOCKET) return UV_EBADF;
  SOCKET socket = handle.socket;
  WSAPROTOCOL_INFOW info{};
  int length = sizeof(info);
  if (getsockopt(socket, SOL_SOCKET, SO_PROTOCOL_INFOW, reinterpret_cast<char*>(&info), &length) == SOCKET_ERROR) {
    return UvLastError();  // WSAENOTSOCK: UV_ENOTSOCK
  }
  if (info.iSocketType != SOCK_STREAM) return UV_EINVAL;
  int family = info.iAddressFamily;
  if (family != AF_INET && family != AF_INET6) return UV_EINVAL;
  BOOL listening = FALSE;
  length = sizeof(listening);
  if (getsockopt(socket, SOL_SOCKET, SO_ACCEPTCONN, reinterpret_cast<char*>(&listening), &length) == SOCKET_ERROR) {
    return UvLastError();
  }
  bool connected = false;
  if (!listening) {
    sockaddr_storage peer{};
    length = sizeof(peer);
    connected = getpeername(socket, reinterpret_cast<sockaddr*>(&peer), &length) == 0;
  }
  rc = SetNonBlocking(socket);
  if (rc != 0) return rc;
  if (!SetHandleInformation(reinterpret_cast<HANDLE>(socket), HANDLE_FLAG_INHERIT, 0)) return UvLastError();
  out->family = family;
  out->listening = listening != FALSE;
  out->connected = connected;
  return 0;
}

// (An unbound socket cannot listen on Windows: WSAEINVAL, where POSIX binds
// it to a free port first.)
int Listen(SocketHandle handle, int backlog) {
  if (handle.pipe != nullptr) return UV_EINVAL;
  return listen(handle.socket, backlog) == SOCKET_ERROR ? UvLastError() : 0;
}

// A socket belongs to one completion port for good, and the copy
// WSADuplicateSocket makes is for another process: the engine cannot keep a
// socket of its own beside the caller's (README "Windows").
int Duplicate(SocketHandle, SocketHandle*) { return UV_ENOTSUP; }

// As libuv's uv_tcp_keepalive_ex (Windows 10 1709 and later: TCP_KEEPALIVE
// is the idle time, then TCP_KEEPINTVL and TCP_KEEPCNT); a 0 is refused
// after SO_KEEPALIVE is on, keepalive staying on, as libuv does.
int SetKeepAlive(SocketHandle handle, bool enable, unsigned int initial_delay_secs, unsigned int interval_secs,
                 unsigned int count) {
  SOCKET socket = handle.socket;
  int rc = SetOption(socket, SOL_SOCKET, SO_KEEPALIVE, enable ? 1 : 0);
  if (rc != 0 || !enable) return rc;
  if (initial_delay_secs == 0 || interval_secs == 0 || count == 0) return UV_EINVAL;
  rc = SetOption(socket, IPPROTO_TCP, TCP_KEEPALIVE, static_cast<int>(initial_delay_secs));
  if (rc == 0) rc = SetOption(socket, IPPROTO_TCP, TCP_KEEPINTVL, static_cast<int>(interval_secs));
  if (rc == 0) rc = SetOption(socket, IPPROTO_TCP, TCP_KEEPCNT, static_cast<int>(count));
  return rc;
}

// IP_TOS / IPV6_TCLASS: Winsock takes and reports them; whether the stack
// marks packets with them is Windows' policy (QoS), not the socket's.
int SetTypeOfService(SocketHandle handle, int family, int tos) {
  if (handle.pipe != nullptr) return UV_EBADF;
  if (family == AF_INET6) return SetOption(handle.socket, IPPROTO_IPV6, IPV6_TCLASS, tos);
  return SetOption(handle.socket, IPPROTO_IP, IP_TOS, tos);
}

int GetTypeOfService(SocketHandle handle, int family, int* out) {
  if (handle.pipe != nullptr) return UV_EBADF;
  int value = 0;
  int length = sizeof(value);
  int rc = family == AF_INET6
               ? getsockopt(handle.socket, IPPROTO_IPV6, IPV6_TCLASS, reinterpret_cast<char*>(&value), &length)
               : getsockopt(handle.socket, IPPROTO_IP, IP_TOS, reinterpret_cast<char*>(&value), &length);
  if (rc == SOCKET_ERROR) return UvLastError();
  *out = value & 0xff;
  return 0;
}

// Windows has no TCP_USER_TIMEOUT. TCP_MAXRT is not it: whole seconds, it
// bounds connection set-up as well, and no value of it restores the
// system's default (what 0 asks for). UV_ENOTSUP rather than something else.
int SetUserTimeout(SocketHandle, unsigned int) { return UV_ENOTSUP; }

// A pipe's name is its path at both ends.
int GetSockName(SocketHandle handle, SocketAddress* out) {
  if (handle.pipe != nullptr) return pipes::GetName(handle, out);
  int length = SocketAddress::kMaxLength;
  if (getsockname(handle.socket, out->raw_mutable(), &length) == SOCKET_ERROR) return UvLastError();
  out->set_length(length);
  return 0;
}

int GetPeerName(SocketHandle handle, SocketAddress* out) {
  if (handle.pipe != nullptr) return handle.pipe->listener ? UV_ENOTCONN : pipes::GetName(handle, out);
  int length = SocketAddress::kMaxLength;
  if (getpeername(handle.socket, out->raw_mutable(), &length) == SOCKET_ERROR) return UvLastError();
  out->set_length(length);
  return 0;
}

// A pipe has no RST: a reset pipe is closed like any other.
void SetLingerZero(SocketHandle handle) {
  if (handle.pipe != nullptr) return;
  linger value;
  value.l_onoff = 1;
  value.l_linger = 0;
  setsockopt(handle.socket, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&value), sizeof(value));
}

// A pipe has no half-close: its write side is only marked ended here; the
// IOCP backend ends the stream the way libuv does (its ShutdownWrite hook).
int ShutdownWrite(SocketHandle handle) {
  if (handle.pipe != nullptr) {
    handle.pipe->write_shut = true;
    return 0;
  }
  return shutdown(handle.socket, SD_SEND) == SOCKET_ERROR ? UvLastError() : 0;
}

// A listening socket cannot leave the LISTEN state on Windows without being
// closed (shutdown fails with WSAENOTCONN); the backend cancels its AcceptEx
// calls at once and the socket closes when they have completed (rule 9).
void StopListening(SocketHandle) {}

// (A pipe's unread bytes make no RST: nothing to discard.)
void DiscardUnread(SocketHandle handle) {
  if (handle.pipe != nullptr) return;
  char sink[16 * 1024];
  for (int i = 0; i < 64; ++i) {
    int n = recv(handle.socket, sink, sizeof(sink), 0);
    if (n <= 0) return;
  }
}

// A pipe connects at once (or fails): it opens the name.
int ConnectNow(SocketHandle handle, const SocketAddress& remote) {
  if (handle.pipe != nullptr) return pipes::ConnectPipe(handle);
  if (connect(handle.socket, remote.raw(), remote.length()) == 0) return 0;
  int error = static_cast<int>(WSAGetLastError());
  return error == WSAEWOULDBLOCK ? UV_EINPROGRESS : UvErrorFromSystem(error);
}

void RemovePath(const std::string&) {}  // named pipes leave no file behind

int TakeError(SocketHandle handle) {
  if (handle.pipe != nullptr) return 0;
  int error = 0;
  int length = sizeof(error);
  if (getsockopt(handle.socket, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length) == SOCKET_ERROR) {
    return UvLastError();
  }
  return UvErrorFromSystem(error);
}

// A pipe write cannot be offered without waiting: the caller queues it.
int64_t SendNow(SocketHandle handle, const IoBuffer* buffers, size_t count) {
  if (handle.pipe != nullptr) return UV_EAGAIN;
  DWORD sent = 0;
  if (WSASend(handle.socket, const_cast<IoBuffer*>(buffers), static_cast<DWORD>(count), &sent, 0, nullptr, nullptr) ==
      SOCKET_ERROR) {
    int error = static_cast<int>(WSAGetLastError());
    return error == WSAEWOULDBLOCK ? UV_EAGAIN : UvErrorFromSystem(error);
  }
  return static_cast<int64_t>(sent);
}

int64_t ReceiveNow(SocketHandle handle, uint8_t* data, size_t size) {
  if (handle.pipe != nullptr) return pipes::ReceiveNow(handle, data, size);
  int n = recv(handle.socket, reinterpret_cast<char*>(data), static_cast<int>(size), 0);
  if (n == SOCKET_ERROR) {
    int error = static_cast<int>(WSAGetLastError());
    return error == WSAEWOULDBLOCK ? UV_EAGAIN : UvErrorFromSystem(error);
  }
  return n;
}

int Accept(SocketHandle listener, SocketHandle* out) {
  if (listener.pipe != nullptr) return UV_EAGAIN;  // pipe clients come through the backend only
  SOCKET socket = accept(listener.socket, nullptr, nullptr);
  if (socket == INVALID_SOCKET) {
    int error = static_cast<int>(WSAGetLastError());
    return error == WSAEWOULDBLOCK ? UV_EAGAIN : UvErrorFromSystem(error);
  }
  int rc = SetNonBlocking(socket);
  if (rc != 0) {
    closesocket(socket);
    return rc;
  }
  *out = SocketHandle(socket);
  return 0;
}

// Windows has no descriptor limit to shed: socket handles run out only with
// memory (WSAENOBUFS, retried by the core), so the reserve holds nothing.
DescriptorReserve::DescriptorReserve() : reserve_(-1) {}
DescriptorReserve::~DescriptorReserve() = default;
int DescriptorReserve::ShedPendingConnections(SocketHandle, int status) { return status; }

}  // namespace sockets
}  // namespace iocpnet

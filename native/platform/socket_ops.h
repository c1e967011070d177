// Plain socket calls the engine core and the backends share, one
// implementation per platform (socket_ops_posix.cc, socket_ops_win.cc).
// Everything is non-blocking; every call returns 0 (or a byte count) or a
// negative libuv errno (errors.h), never a raw errno/WSA code.
//
// On Windows a `path` is a named pipe, as in node, not a socket: a
// SocketHandle there is a socket or a pipe endpoint (platform/pipe_win.h),
// and these calls do for a pipe what it has of each (no options, no
// half-close, no linger).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "platform/io_buffer.h"
#include "socket_address.h"

namespace iocpnet {

#ifdef _WIN32
struct PipeEndpoint;
// A socket, or (pipe != null) a named-pipe endpoint. Copies name the same
// endpoint; sockets::Close frees it, once.
struct SocketHandle {
  SOCKET socket = INVALID_SOCKET;
  PipeEndpoint* pipe = nullptr;

  constexpr SocketHandle() = default;
  constexpr explicit SocketHandle(SOCKET s) : socket(s) {}
  bool operator==(const SocketHandle& other) const { return socket == other.socket && pipe == other.pipe; }
  bool operator!=(const SocketHandle& other) const { return !(*this == other); }
};
constexpr SocketHandle kInvalidSocket{};
#else
using SocketHandle = int;
constexpr SocketHandle kInvalidSocket = -1;
#endif

namespace sockets {

// A stream socket of `family` (AF_INET, AF_INET6, AF_UNIX): non-blocking and
// not inherited by child processes.
int Open(int family, SocketHandle* out);
void Close(SocketHandle socket);

// socket + options + bind + listen, as node does it (SO_REUSEADDR for TCP;
// IPV6_V6ONLY and SO_REUSEPORT as asked; reuse_port where the system has no
// balancing listeners: UV_ENOTSUP). On failure nothing is left open.
int OpenListener(const SocketAddress& address, int backlog, bool ipv6_only, bool reuse_port, SocketHandle* out);
// socket [+ SO_REUSEADDR + bind(local)] for an outgoing connection (libuv's
// uv_tcp_bind); the connect itself is the backend's.
int OpenClient(const SocketAddress& remote, const SocketAddress* local, SocketHandle* out);

// What an existing descriptor is, for Backend::Open: a stream socket that
// listens, is connected, or neither (then made non-blocking and
// close-on-exec), else UV_ENOTSOCK, UV_EINVAL (another socket type),
// UV_ENOTSUP.
struct SocketKind {
  int family = 0;
  bool listening = false;
  bool connected = false;
};
int Inspect(SocketHandle socket, SocketKind* out);
// listen(2) on a socket that is not listening yet (bound or not).
int Listen(SocketHandle socket, int backlog);
// A second descriptor for the same socket (close-on-exec).
int Duplicate(SocketHandle socket, SocketHandle* out);

int SetNoDelay(SocketHandle socket, bool enable);
// Like libuv's uv_tcp_keepalive_ex: SO_KEEPALIVE, then (enabling) the idle
// time, the probe interval and the probe count, each in seconds; a 0 is
// passed on and refused (EINVAL) as libuv's is, keepalive staying on.
int SetKeepAlive(SocketHandle socket, bool enable, unsigned int initial_delay_secs, unsigned int interval_secs,
                 unsigned int count);
// The TOS byte (IP_TOS) of an IPv4 socket, the traffic class (IPV6_TCLASS)
// of an IPv6 one, as node's setTypeOfService/getTypeOfService.
int SetTypeOfService(SocketHandle socket, int family, int tos);
int GetTypeOfService(SocketHandle socket, int family, int* out);
// TCP_USER_TIMEOUT: how long sent bytes may stay unacknowledged before the
// kernel fails the connection (ETIMEDOUT); 0 is the system's default.
int SetUserTimeout(SocketHandle socket, unsigned int timeout_ms);
int GetSockName(SocketHandle socket, SocketAddress* out);
int GetPeerName(SocketHandle socket, SocketAddress* out);
// SO_LINGER {1, 0}: close() sends RST and drops unsent bytes (rule 7).
void SetLingerZero(SocketHandle socket);
int ShutdownWrite(SocketHandle socket);
// A listening socket refuses connects from now on (the fd closes later).
void StopListening(SocketHandle socket);
// Reads and drops what the peer sent that nobody will read (bounded), so a
// graceful close sends FIN rather than RST (rule 6).
void DiscardUnread(SocketHandle socket);
// connect() without waiting: 0 (connected at once), UV_EINPROGRESS (wait
// for the socket to become writable, then TakeError), or the error.
int ConnectNow(SocketHandle socket, const SocketAddress& remote);
// Removes a Unix listener's path (libuv does at close).
void RemovePath(const std::string& path);
// SO_ERROR: the error a non-blocking connect ended with (0 if none).
int TakeError(SocketHandle socket);

// What the kernel takes now of the gathered buffers: the byte count, or
// UV_EAGAIN when it takes nothing, or the error.
int64_t SendNow(SocketHandle socket, const IoBuffer* buffers, size_t count);
// Bytes received into `data` (0: the peer's FIN), UV_EAGAIN when none wait,
// or the error.
int64_t ReceiveNow(SocketHandle socket, uint8_t* data, size_t size);
// A pending connection of `listener` (non-blocking, not inherited), or
// UV_EAGAIN when none waits, or the error.
int Accept(SocketHandle listener, SocketHandle* out);

// Out of descriptors (libuv's "EMFILE trick"): a descriptor kept in reserve
// is given back to the system so every pending connection can be accepted
// and closed (clients are not left hanging, and the listener stops reporting
// EMFILE in a loop); then the reserve is taken again.
class DescriptorReserve {
 public:
  DescriptorReserve();
  ~DescriptorReserve();
  DescriptorReserve(const DescriptorReserve&) = delete;
  DescriptorReserve& operator=(const DescriptorReserve&) = delete;
  // Returns 0 when the backlog was emptied (nothing to report, as in libuv),
  // else `status`.
  int ShedPendingConnections(SocketHandle listener, int status);

 private:
  intptr_t reserve_;
};

}  // namespace sockets
}  // namespace iocpnet

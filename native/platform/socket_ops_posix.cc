// POSIX socket calls (Linux): see socket_ops.h.
#include "platform/socket_ops.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errors.h"

namespace iocpnet {
namespace sockets {

namespace {

int CloseWithError(int fd) {
  int error = UvLastError();
  close(fd);
  return error;
}

int SetOption(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value)) < 0 ? UvLastError() : 0;
}

}  // namespace

int Open(int family, SocketHandle* out) {
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return UvLastError();
  *out = fd;
  return 0;
}

void Close(SocketHandle socket) {
  if (socket >= 0) close(socket);
}

int OpenListener(const SocketAddress& address, int backlog, bool ipv6_only, bool reuse_port, SocketHandle* out) {
  int family = address.family();
  int fd = -1;
  int rc = Open(family, &fd);
  if (rc != 0) return rc;
  if (family != AF_UNIX && SetOption(fd, SOL_SOCKET, SO_REUSEADDR, 1) != 0) return CloseWithError(fd);
  // Linux spreads the connections of a port over every listener that set
  // SO_REUSEPORT (one per thread or process): what libuv's UV_TCP_REUSEPORT does.
  if (family != AF_UNIX && reuse_port && SetOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) != 0) return CloseWithError(fd);
  if (family == AF_INET6 && SetOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, ipv6_only ? 1 : 0) != 0) return CloseWithError(fd);
  if (bind(fd, address.raw(), address.length()) < 0) return CloseWithError(fd);
  if (listen(fd, backlog) < 0) return CloseWithError(fd);
  *out = fd;
  return 0;
}

int OpenClient(const SocketAddress& remote, const SocketAddress* local, SocketHandle* out) {
  int family = remote.family();
  int fd = -1;
  int rc = Open(family, &fd);
  if (rc != 0) return rc;
  if (local != nullptr) {
    if (family != AF_UNIX && SetOption(fd, SOL_SOCKET, SO_REUSEADDR, 1) != 0) return CloseWithError(fd);
    if (bind(fd, local->raw(), local->length()) < 0) return CloseWithError(fd);
  }
  *out = fd;
  return 0;
}

int Inspect(SocketHandle socket, SocketKind* out) {
  int type = 0;
  socklen_t length = sizeof(type);
  if (getsockopt(socket, SOL_SOCKET, SO_TYPE, &type, &length) < 0) return UvLastError();
  if (type != SOCK_STREAM) return UV_EINVAL;
  sockaddr_storage local{};
  length = sizeof(local);
  if (getsockname(socket, reinterpret_cast<sockaddr*>(&local), &length) < 0) return UvLastError();
  int family = local.ss_family;
  if (family != AF_INET && family != AF_INET6 && family != AF_UNIX) return UV_EINVAL;
  int listening = 0;
  length = sizeof(listening);
  if (getsockopt(socket, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) < 0) return UvLastError();
  bool connected = false;
  if (!listening) {
    sockaddr_storage peer{};
    length = sizeof(peer);
    connected = getpeername(socket, reinterpret_cast<sockaddr*>(&peer), &length) == 0;
  }
  int flags = fcntl(socket, F_GETFL);
  if (flags < 0 || fcntl(socket, F_SETFL, flags | O_NONBLOCK) < 0) return UvLastError();
  if (fcntl(socket, F_SETFD, FD_CLOEXEC) < 0) return UvLastError();
  out->family = family;
  out->listening = listening != 0;
  out->connected = connected;
  return 0;
}

int Listen(SocketHandle socket, int backlog) {
  if (listen(socket, backlog) < 0) return UvLastError();
  return 0;
}

int Duplicate(SocketHandle socket, SocketHandle* out) {
  int fd = fcntl(socket, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return UvLastError();
  *out = fd;
  return 0;
}

int SetNoDelay(SocketHandle socket, bool enable) { return SetOption(socket, IPPROTO_TCP, TCP_NODELAY, enable ? 1 : 0); }

int SetKeepAlive(SocketHandle socket, bool enable, unsigned int initial_delay_secs, unsigned int interval_secs,
                 unsigned int count) {
  int rc = SetOption(socket, SOL_SOCKET, SO_KEEPALIVE, enable ? 1 : 0);
  if (rc != 0 || !enable) return rc;
  // libuv refuses a 0 after SO_KEEPALIVE is on; the kernel refuses it the
  // same way (EINVAL), and a value above INT_MAX too.
  if (initial_delay_secs == 0 || interval_secs == 0 || count == 0) return UV_EINVAL;
  rc = SetOption(socket, IPPROTO_TCP, TCP_KEEPIDLE, static_cast<int>(initial_delay_secs));
  if (rc == 0) rc = SetOption(socket, IPPROTO_TCP, TCP_KEEPINTVL, static_cast<int>(interval_secs));
  if (rc == 0) rc = SetOption(socket, IPPROTO_TCP, TCP_KEEPCNT, static_cast<int>(count));
  return rc;
}

int SetTypeOfService(SocketHandle socket, int family, int tos) {
  if (family == AF_INET6) return SetOption(socket, IPPROTO_IPV6, IPV6_TCLASS, tos);
  return SetOption(socket, IPPROTO_IP, IP_TOS, tos);
}

int GetTypeOfService(SocketHandle socket, int family, int* out) {
  int value = 0;
  socklen_t length = sizeof(value);
  int rc = family == AF_INET6 ? getsockopt(socket, IPPROTO_IPV6, IPV6_TCLASS, &value, &length)
                              : getsockopt(socket, IPPROTO_IP, IP_TOS, &value, &length);
  if (rc < 0) return UvLastError();
  *out = value;
  return 0;
}

int SetUserTimeout(SocketHandle socket, unsigned int timeout_ms) {
  if (timeout_ms > 0x7fffffffu) return UV_EINVAL;
  return SetOption(socket, IPPROTO_TCP, TCP_USER_TIMEOUT, static_cast<int>(timeout_ms));
}

int GetSockName(SocketHandle socket, SocketAddress* out) {
  socklen_t length = SocketAddress::kMaxLength;
  if (getsockname(socket, out->raw_mutable(), &length) < 0) return UvLastError();
  out->set_length(length);
  return 0;
}

int GetPeerName(SocketHandle socket, SocketAddress* out) {
  socklen_t length = SocketAddress::kMaxLength;
  if (getpeername(socket, out->raw_mutable(), &length) < 0) return UvLastError();
  out->set_length(length);
  return 0;
}

void SetLingerZero(SocketHandle socket) {
  linger value;
  value.l_onoff = 1;
  value.l_linger = 0;
  setsockopt(socket, SOL_SOCKET, SO_LINGER, &value, sizeof(value));
}

int ShutdownWrite(SocketHandle socket) { return shutdown(socket, SHUT_WR) < 0 ? UvLastError() : 0; }

// A listening TCP socket shut down leaves the LISTEN state (further SYNs are
// refused); a Unix one refuses connects once shut down.
void StopListening(SocketHandle socket) { shutdown(socket, SHUT_RDWR); }

// close() on a socket with unread received bytes sends RST and drops the
// send queue. Reading them first (bounded) keeps the close a FIN.
void DiscardUnread(SocketHandle socket) {
  uint8_t sink[16 * 1024];
  for (int i = 0; i < 64; ++i) {
    ssize_t n = recv(socket, sink, sizeof(sink), MSG_DONTWAIT);
    if (n <= 0) return;
  }
}

int ConnectNow(SocketHandle socket, const SocketAddress& remote) {
  int rc;
  do {
    rc = connect(socket, remote.raw(), remote.length());
  } while (rc < 0 && errno == EINTR);
  return rc == 0 ? 0 : UvLastError();
}

void RemovePath(const std::string& path) { unlink(path.c_str()); }

int TakeError(SocketHandle socket) {
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) < 0) return UvLastError();
  return UvErrorFromSystem(error);
}

int64_t SendNow(SocketHandle socket, const IoBuffer* buffers, size_t count) {
  msghdr message;
  std::memset(&message, 0, sizeof(message));
  message.msg_iov = const_cast<IoBuffer*>(buffers);
  message.msg_iovlen = count;
  ssize_t sent;
  do {
    // One buffer (a reply, most often): send() skips copying in the msghdr
    // and its iovec, about 0.1 us of a 64-byte send's ~1.4 us here.
    sent = count == 1 ? send(socket, buffers[0].iov_base, buffers[0].iov_len, MSG_DONTWAIT | MSG_NOSIGNAL)
                      : sendmsg(socket, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return errno == EWOULDBLOCK ? UV_EAGAIN : UvLastError();
  return sent;
}

int64_t ReceiveNow(SocketHandle socket, uint8_t* data, size_t size) {
  ssize_t n;
  do {
    n = recv(socket, data, size, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EWOULDBLOCK ? UV_EAGAIN : UvLastError();
  return n;
}

int Accept(SocketHandle listener, SocketHandle* out) {
  int fd;
  do {
    fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno == EWOULDBLOCK ? UV_EAGAIN : UvLastError();
  *out = fd;
  return 0;
}

DescriptorReserve::DescriptorReserve() : reserve_(open("/", O_RDONLY | O_CLOEXEC)) {}

DescriptorReserve::~DescriptorReserve() {
  if (reserve_ >= 0) close(static_cast<int>(reserve_));
}

int DescriptorReserve::ShedPendingConnections(SocketHandle listener, int status) {
  if (reserve_ < 0) return status;
  close(static_cast<int>(reserve_));
  reserve_ = -1;
  int result = status;
  for (;;) {
    SocketHandle fd;
    int rc = Accept(listener, &fd);
    if (rc == 0) {
      DiscardUnread(fd);  // a FIN, not a reset, even if the client wrote first
      close(fd);
      continue;
    }
    if (rc == UV_EAGAIN) result = 0;
    break;
  }
  reserve_ = open("/", O_RDONLY | O_CLOEXEC);
  return result;
}

}  // namespace sockets
}  // namespace iocpnet

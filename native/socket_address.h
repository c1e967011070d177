// SocketAddress: an IPv4, IPv6 or Unix-domain address, platform-neutral to its
// users. Parsing and formatting live here so the bridge and the tests never
// touch sockaddr structures.
#pragma once

#include <cstdint>
#include <string>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
// sockaddr_un: on Windows a `path` names a named pipe (\\.\pipe\...), as
// in node; the address only carries the name to the backend.
#include <afunix.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#endif

namespace iocpnet {

class SocketAddress {
 public:
  SocketAddress();

  // Numeric IPv4/IPv6 text (an IPv6 scope "%eth0" or "%2" is accepted) and a
  // port 0..65535. Returns false for anything else.
  static bool FromIp(const std::string& ip, uint16_t port, SocketAddress* out);
  // A Unix-domain path; a leading '\0' is a Linux abstract name. Cut to
  // sun_path's size, as libuv does. False if empty. On Windows a pipe name,
  // kept whole (libuv does not cut it; Windows refuses one over 256
  // characters), up to its first NUL; false if it starts with one (libuv:
  // EINVAL).
  static bool FromPath(const std::string& path, SocketAddress* out);
  // From a raw sockaddr filled by the kernel (accept, getsockname, ...).
  static SocketAddress FromRaw(const sockaddr* raw, socklen_t length);

  int family() const;           // AF_INET, AF_INET6 or AF_UNIX
  bool IsUnix() const;
  std::string ip() const;       // "127.0.0.1", "::1" (no brackets); "" for Unix
  uint16_t port() const;        // 0 for Unix
  std::string path() const;     // Unix path; "" otherwise
  const char* FamilyName() const;  // "IPv4", "IPv6" or "Unix" (Node's spelling)

  const sockaddr* raw() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* raw_mutable() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }
  void set_length(socklen_t length) { length_ = length; }
  static constexpr socklen_t kMaxLength = sizeof(sockaddr_storage);

 private:
  sockaddr_storage storage_;
  socklen_t length_;
#ifdef _WIN32
  std::string pipe_name_;  // AF_UNIX: the whole name (sun_path is 108 bytes)
#endif
};

}  // namespace iocpnet

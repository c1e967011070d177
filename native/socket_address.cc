#include "socket_address.h"

#ifdef _WIN32
#include <iphlpapi.h>  // if_nametoindex, if_indextoname (netioapi.h)
#ifndef IF_NAMESIZE
#define IF_NAMESIZE NDIS_IF_MAX_STRING_SIZE
#endif
#else
#include <arpa/inet.h>
#include <net/if.h>
#endif

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace iocpnet {

namespace {

// Parses an IPv6 scope: an interface name ("eth0") or a number ("2").
bool ParseScope(const std::string& scope, uint32_t* out) {
  if (scope.empty()) return false;
  bool numeric = true;
  for (char c : scope) numeric = numeric && c >= '0' && c <= '9';
  if (numeric) {
    if (scope.size() > 10) return false;
    unsigned long value = std::strtoul(scope.c_str(), nullptr, 10);
    if (value > 0xffffffffUL) return false;
    *out = static_cast<uint32_t>(value);
    return true;
  }
  unsigned int index = if_nametoindex(scope.c_str());
  if (index == 0) return false;
  *out = index;
  return true;
}

}  // namespace

SocketAddress::SocketAddress() : length_(0) { std::memset(&storage_, 0, sizeof(storage_)); }

bool SocketAddress::FromIp(const std::string& ip, uint16_t port, SocketAddress* out) {
  SocketAddress result;
  if (ip.find(':') == std::string::npos) {
    sockaddr_in* v4 = reinterpret_cast<sockaddr_in*>(&result.storage_);
    if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) != 1) return false;
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    result.length_ = sizeof(sockaddr_in);
  } else {
    sockaddr_in6* v6 = reinterpret_cast<sockaddr_in6*>(&result.storage_);
    std::string text = ip;
    size_t percent = ip.find('%');
    if (percent != std::string::npos) {
      text = ip.substr(0, percent);
      uint32_t scope = 0;
      if (!ParseScope(ip.substr(percent + 1), &scope)) return false;
      v6->sin6_scope_id = scope;
    }
    if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) != 1) return false;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    result.length_ = sizeof(sockaddr_in6);
  }
  *out = result;
  return true;
}

bool SocketAddress::FromPath(const std::string& given, SocketAddress* out) {
  if (given.empty()) return false;
#ifdef _WIN32
  // As libuv 1.46 (node 20) on Windows: a name that starts with a NUL is
  // EINVAL; any other is read as a C string, up to its first NUL
  // (MultiByteToWideChar(-1)), so 'dir\nul\0x' opens the NUL device and a
  // listen on 'a\0b' makes pipe 'a'. (Later libuv refuses any NUL: the
  // JavaScript side does that first, lib/args.ts pipeNameError.)
  if (given[0] == '\0') return false;
  const std::string path = given.substr(0, given.find('\0'));
#else
  const std::string& path = given;
#endif
  SocketAddress result;
  sockaddr_un* un = reinterpret_cast<sockaddr_un*>(&result.storage_);
  // Like libuv (and so Node), a longer name is cut to sun_path's size. A
  // filesystem path that fills sun_path has no room for its NUL: the kernel
  // does without (the address length says where it ends).
  size_t size = path.size() < sizeof(un->sun_path) ? path.size() : sizeof(un->sun_path);
  bool abstract = path[0] == '\0';
  un->sun_family = AF_UNIX;
  std::memcpy(un->sun_path, path.data(), size);
  result.length_ = static_cast<socklen_t>(abstract ? offsetof(sockaddr_un, sun_path) + size : sizeof(sockaddr_un));
#ifdef _WIN32
  result.pipe_name_ = path;
#endif
  *out = result;
  return true;
}

SocketAddress SocketAddress::FromRaw(const sockaddr* raw, socklen_t length) {
  SocketAddress result;
  if (raw == nullptr || length <= 0) return result;
  if (length > kMaxLength) length = kMaxLength;
  std::memcpy(&result.storage_, raw, length);
  result.length_ = length;
  return result;
}

int SocketAddress::family() const { return length_ == 0 ? AF_UNSPEC : storage_.ss_family; }

bool SocketAddress::IsUnix() const { return family() == AF_UNIX; }

std::string SocketAddress::ip() const {
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = {0};
  if (family() == AF_INET) {
    const sockaddr_in* v4 = reinterpret_cast<const sockaddr_in*>(&storage_);
    if (inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text)) == nullptr) return "";
    return text;
  }
  if (family() == AF_INET6) {
    const sockaddr_in6* v6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
    if (inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text)) == nullptr) return "";
    std::string result = text;
    // Like Node: a link-local address carries its interface ("fe80::1%eth0").
    if (IN6_IS_ADDR_LINKLOCAL(&v6->sin6_addr) && v6->sin6_scope_id > 0) {
      char name[IF_NAMESIZE] = {0};
      if (if_indextoname(v6->sin6_scope_id, name) != nullptr) {
        result += '%';
        result += name;
      } else {
        result += '%' + std::to_string(v6->sin6_scope_id);
      }
    }
    return result;
  }
  return "";
}

uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

std::string SocketAddress::path() const {
  if (!IsUnix()) return "";
#ifdef _WIN32
  if (!pipe_name_.empty()) return pipe_name_;
#endif
  const sockaddr_un* un = reinterpret_cast<const sockaddr_un*>(&storage_);
  size_t header = offsetof(sockaddr_un, sun_path);
  if (static_cast<size_t>(length_) <= header) return "";  // unnamed socket
  size_t size = static_cast<size_t>(length_) - header;
  if (un->sun_path[0] != '\0') {
    // Filesystem path: up to the first NUL (the kernel may count it or not).
    size = strnlen(un->sun_path, size);
  }
  return std::string(un->sun_path, size);
}

const char* SocketAddress::FamilyName() const {
  switch (family()) {
    case AF_INET: return "IPv4";
    case AF_INET6: return "IPv6";
    case AF_UNIX: return "Unix";
    default: return "";
  }
}

}  // namespace iocpnet

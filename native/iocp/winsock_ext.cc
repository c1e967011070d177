#include "iocp/winsock_ext.h"

#include <mstcpip.h>
#include <ws2tcpip.h>

#include <cstring>

#include "errors.h"

namespace iocpnet {
namespace iocp {

namespace {

bool LoadFunction(SOCKET socket, GUID guid, void** target) {
  DWORD bytes = 0;
  return WSAIoctl(socket, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof(guid), target, sizeof(*target), &bytes,
                  nullptr, nullptr) == 0;
}

// Whether the base provider of a family's TCP sockets hands out IFS handles:
// a layered (non-IFS) provider may complete an operation without the port
// knowing, so skipping the port on success is only safe without one.
bool IsIfs(int family) {
  SOCKET probe = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
  if (probe == INVALID_SOCKET) return false;
  WSAPROTOCOL_INFOW info;
  int length = sizeof(info);
  bool ifs = getsockopt(probe, SOL_SOCKET, SO_PROTOCOL_INFOW, reinterpret_cast<char*>(&info), &length) == 0 &&
             (info.dwServiceFlags1 & XP1_IFS_HANDLES) != 0;
  closesocket(probe);
  return ifs;
}

}  // namespace

DWORD WinsockExtensions::Load(std::string* why) {
  WSADATA data;
  int rc = WSAStartup(MAKEWORD(2, 2), &data);  // counted: WSACleanup is never called
  if (rc != 0) {
    *why = "WSAStartup failed (" + std::to_string(rc) + ")";
    return static_cast<DWORD>(rc);
  }
  SOCKET probe = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (probe == INVALID_SOCKET) {
    DWORD error = WSAGetLastError();
    *why = "cannot create a TCP socket (Windows error " + std::to_string(error) + ")";
    return error;
  }
  GUID accept_guid = WSAID_ACCEPTEX;
  GUID connect_guid = WSAID_CONNECTEX;
  bool ok = LoadFunction(probe, accept_guid, reinterpret_cast<void**>(&accept_ex)) &&
            LoadFunction(probe, connect_guid, reinterpret_cast<void**>(&connect_ex));
  DWORD error = ok ? 0 : WSAGetLastError();
  closesocket(probe);
  if (!ok) {
    *why = "the TCP provider has no AcceptEx/ConnectEx (Windows error " + std::to_string(error) + ")";
    return error;
  }
  // Wine difference 1: Wine does not keep FILE_SKIP_COMPLETION_PORT_ON_
  // SUCCESS's promise. A zero-byte WSARecv that returns success there may
  // still queue a packet (measured: 1 receive in 10 under load), which would
  // complete an OVERLAPPED already reused. Under Wine every completion goes
  // through the port; on Windows the IFS check alone decides.
  bool wine = RunningUnderWine();
  ifs_ipv4 = IsIfs(AF_INET) && !wine;
  ifs_ipv6 = IsIfs(AF_INET6) && !wine;
  return 0;
}

int UpdateAcceptContext(SOCKET accepted, SOCKET listener) {
  return setsockopt(accepted, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<const char*>(&listener),
                    sizeof(listener)) == 0
             ? 0
             : UvLastError();
}

int UpdateConnectContext(SOCKET connected) {
  return setsockopt(connected, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) == 0 ? 0 : UvLastError();
}

SocketAddress ConnectTarget(const SocketAddress& remote) {
  SocketAddress target = remote;
  if (remote.family() == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(target.raw_mutable());
    if (v4->sin_addr.s_addr == htonl(INADDR_ANY)) v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  } else if (remote.family() == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(target.raw_mutable());
    if (IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr)) v6->sin6_addr = in6addr_loopback;
  }
  return target;
}

void FailFastOnLoopback(SOCKET socket, const SocketAddress& target) {
  bool loopback = false;
  if (target.family() == AF_INET) {
    loopback = (ntohl(reinterpret_cast<const sockaddr_in*>(target.raw())->sin_addr.s_addr) >> 24) == 127;
  } else if (target.family() == AF_INET6) {
    loopback = IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(target.raw())->sin6_addr) != 0;
  }
  if (!loopback) return;
  TCP_INITIAL_RTO_PARAMETERS parameters;
  std::memset(&parameters, 0, sizeof(parameters));
  parameters.Rtt = TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS;  // as libuv sets both
  parameters.MaxSynRetransmissions = TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS;
  DWORD bytes = 0;
  WSAIoctl(socket, SIO_TCP_INITIAL_RTO, &parameters, sizeof(parameters), nullptr, 0, &bytes, nullptr, nullptr);
}

int OverlappedResult(HANDLE handle, bool socket, OVERLAPPED* overlapped) {
  if (overlapped->Internal == 0) return 0;  // STATUS_SUCCESS
  DWORD bytes = 0;
  DWORD flags = 0;
  bool ok = socket ? WSAGetOverlappedResult(reinterpret_cast<SOCKET>(handle), overlapped, &bytes, FALSE, &flags) != FALSE
                   : GetOverlappedResult(handle, overlapped, &bytes, FALSE) != FALSE;
  return ok ? 0 : UvLastError();
}

bool RunningUnderWine() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

}  // namespace iocp
}  // namespace iocpnet

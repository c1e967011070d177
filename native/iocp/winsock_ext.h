// Winsock extensions the IOCP backend needs: AcceptEx and ConnectEx (looked
// up once per backend through WSAIoctl, as Microsoft documents), whether the
// TCP provider is an IFS one (only then may completions that succeed at once
// skip the port: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, as libuv decides it),
// the SO_UPDATE_*_CONTEXT calls, and the error an OVERLAPPED ended with.
#pragma once

#include <winsock2.h>
#include <mswsock.h>
#include <windows.h>

#include <string>

#include "socket_address.h"

namespace iocpnet {
namespace iocp {

struct WinsockExtensions {
  LPFN_ACCEPTEX accept_ex = nullptr;
  LPFN_CONNECTEX connect_ex = nullptr;
  bool ifs_ipv4 = false;  // sockets of the family are IFS handles
  bool ifs_ipv6 = false;

  // 0 or a Win32 error, with *why set.
  DWORD Load(std::string* why);
  bool SkipPortOnSuccess(int family) const { return family == AF_INET6 ? ifs_ipv6 : ifs_ipv4; }
};

// The bytes AcceptEx writes the two addresses into (no data is received).
constexpr DWORD kAcceptAddressBytes = sizeof(sockaddr_storage) + 16;

// Makes an AcceptEx'd socket a full socket (getpeername, shutdown, ...).
// 0 or a libuv errno. (Wine difference 4: getpeername works there even
// without it, so a missing call would go unnoticed: the accept path hands a
// socket on only when this returned 0.)
int UpdateAcceptContext(SOCKET accepted, SOCKET listener);
// The same after ConnectEx.
int UpdateConnectContext(SOCKET connected);

// As libuv: a connect to 0.0.0.0 or :: goes to the loopback address; to a
// loopback address it fails at once when nothing listens (no SYN retries:
// SIO_TCP_INITIAL_RTO, Windows 10 1709+; failures are ignored).
SocketAddress ConnectTarget(const SocketAddress& remote);
void FailFastOnLoopback(SOCKET socket, const SocketAddress& target);

// The libuv errno an overlapped operation on `handle` (a socket, or else a
// pipe) ended with (0 on success).
int OverlappedResult(HANDLE handle, bool socket, OVERLAPPED* overlapped);

// Whether we run under Wine (ntdll exports wine_get_version), for the few
// places where Wine differs from Windows and a test must know it.
bool RunningUnderWine();

}  // namespace iocp
}  // namespace iocpnet

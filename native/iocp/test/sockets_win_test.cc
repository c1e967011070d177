// The Windows side of the engine primitives main's POSIX tests cover
// (test/open_socket_test_posix.cc, test/socket_options_test_posix.cc):
// Backend::Open of a SOCKET made here, options checked on that SOCKET with
// getsockopt, what Windows lacks refused with UV_ENOTSUP, and a connect
// refused at the ConnectEx post reported as the handle's connect event.
#include <winsock2.h>
#include <mstcpip.h>
#include <ws2tcpip.h>

#include <map>
#include <string>

#include "errors.h"
#include "platform/winsock_options.h"
#include "test/harness.h"
#include "test/loop.h"
#include "test/seen.h"

using namespace iocpnet;
using namespace iocpnet::test;

namespace {

sockaddr_in LoopbackAddress(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return address;
}

// A listening SOCKET of this test's own, on a free loopback port.
SOCKET ListeningSocket(uint16_t* port) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  REQUIRE(s != INVALID_SOCKET);
  sockaddr_in address = LoopbackAddress(0);
  REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(listen(s, 16) == 0);
  int length = sizeof(address);
  REQUIRE(getsockname(s, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  *port = ntohs(address.sin_port);
  return s;
}

// Two connected SOCKETs made with blocking calls (socket() makes them
// overlapped, so a completion port can take either).
void ConnectedPair(SOCKET* client, SOCKET* server) {
  uint16_t port = 0;
  SOCKET listener = ListeningSocket(&port);
  *client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  REQUIRE(*client != INVALID_SOCKET);
  sockaddr_in address = LoopbackAddress(port);
  REQUIRE(connect(*client, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  *server = accept(listener, nullptr, nullptr);
  closesocket(listener);
  REQUIRE(*server != INVALID_SOCKET);
}

// A connected pair whose `mine` end the engine took (Backend::Open).
HandleId OpenedPair(Loop& loop, SOCKET* mine, SOCKET* peer) {
  ConnectedPair(mine, peer);
  HandleId id = kInvalidHandle;
  REQUIRE(loop->Open(static_cast<intptr_t>(*mine), false, 0, &id) == 0);
  return id;
}

bool IsSocket(SOCKET s) {
  int type = 0;
  int length = sizeof(type);
  return getsockopt(s, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &length) == 0;
}

int IntOption(SOCKET s, int level, int name) {
  DWORD value = 0;
  int length = sizeof(value);
  if (getsockopt(s, level, name, reinterpret_cast<char*>(&value), &length) != 0) return -1;
  return length == 1 ? static_cast<int>(value & 0xff) : static_cast<int>(value);
}

}  // namespace

BACKEND_TEST(iocp, open_connected_socket_reads_writes_and_closes_it) {
  Loop loop;
  SOCKET mine = INVALID_SOCKET, peer = INVALID_SOCKET;
  HandleId id = OpenedPair(loop, &mine, &peer);
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) { Track(seen, e); };
  CHECK_EQ(loop->ReadStart(id), 0);
  REQUIRE(send(peer, "hello", 5, 0) == 5);
  REQUIRE(loop.RunUntil([&] { return seen[id].data == "hello"; }));
  WriteSlice slice{reinterpret_cast<const uint8_t*>("back"), 4, false};
  CHECK_EQ(loop->Write(id, &slice, 1, 7), 0);
  REQUIRE(loop.RunUntil([&] { return loop.WrittenCount(7) == 1 || seen[id].written == 1; }));
  char reply[8] = {};
  CHECK_EQ(recv(peer, reply, sizeof(reply), 0), 4);  // blocking: the bytes are sent
  CHECK(std::string(reply, 4) == "back");
  CHECK_EQ(loop->Close(id, CloseMode::kGraceful), 0);
  REQUIRE(loop.RunUntil([&] { return loop.IsClosed(id); }));
  CHECK(!IsSocket(mine));                              // the engine owned it
  CHECK_EQ(recv(peer, reply, sizeof(reply), 0), 0);    // and the peer saw its FIN
  closesocket(peer);
}

BACKEND_TEST(iocp, open_listening_socket_accepts) {
  Loop loop;
  uint16_t port = 0;
  SOCKET listener = ListeningSocket(&port);
  HandleId server = kInvalidHandle;
  REQUIRE(loop->Open(static_cast<intptr_t>(listener), false, 0, &server) == 0);
  SocketAddress bound;
  CHECK_EQ(loop->GetSockName(server, &bound), 0);
  CHECK_EQ(bound.port(), port);
  HandleId accepted = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  AcceptAndTrack(loop, seen, &accepted, /*read=*/false);
  HandleId client = ConnectAndAccept(loop, seen, port, accepted);
  loop.CloseAll({client, accepted, server});
  CHECK(!IsSocket(listener));
}

// No engine copy of a caller's socket (Duplicate): the caller keeps it.
BACKEND_TEST(iocp, open_refuses_duplicates_and_what_is_not_a_stream_socket) {
  Loop loop;
  HandleId id = kInvalidHandle;
  SOCKET mine = INVALID_SOCKET, peer = INVALID_SOCKET;
  ConnectedPair(&mine, &peer);
  CHECK_EQ(loop->Open(static_cast<intptr_t>(mine), true, 0, &id), UV_ENOTSUP);
  CHECK(IsSocket(mine));
  closesocket(mine);
  closesocket(peer);
  SOCKET udp = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  CHECK_EQ(loop->Open(static_cast<intptr_t>(udp), false, 0, &id), UV_EINVAL);
  CHECK(IsSocket(udp));
  closesocket(udp);
  SOCKET fresh = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);  // neither listening nor connected
  CHECK_EQ(loop->Open(static_cast<intptr_t>(fresh), false, 0, &id), UV_EINVAL);
  CHECK(IsSocket(fresh));
  closesocket(fresh);
  HANDLE event = CreateEventW(nullptr, FALSE, FALSE, nullptr);  // a handle, not a socket
  CHECK_EQ(loop->Open(reinterpret_cast<intptr_t>(event), false, 0, &id), UV_ENOTSOCK);
  CloseHandle(event);
  CHECK_EQ(loop->Open(-1, false, 0, &id), UV_EBADF);
  CHECK_EQ(id, kInvalidHandle);
}

BACKEND_TEST(iocp, keepalive_and_type_of_service_on_the_socket) {
  Loop loop;
  SOCKET mine = INVALID_SOCKET, peer = INVALID_SOCKET;
  HandleId id = OpenedPair(loop, &mine, &peer);
  if (UnderWine()) {
    // Wine difference 5: Wine refuses TCP_KEEPALIVE (WSAENOPROTOOPT, which
    // libuv reports as UNKNOWN); SO_KEEPALIVE, set first, stays on.
    CHECK_EQ(loop->SetKeepAlive(id, true, 60, 1, 10), UV_UNKNOWN);
  } else {
    CHECK_EQ(loop->SetKeepAlive(id, true, 60, 1, 10), 0);
    CHECK_EQ(IntOption(mine, IPPROTO_TCP, TCP_KEEPALIVE), 60);
    CHECK_EQ(IntOption(mine, IPPROTO_TCP, TCP_KEEPINTVL), 1);
    CHECK_EQ(IntOption(mine, IPPROTO_TCP, TCP_KEEPCNT), 10);
  }
  CHECK_EQ(IntOption(mine, SOL_SOCKET, SO_KEEPALIVE), 1);
  // Like libuv: a 0 is refused after SO_KEEPALIVE is on.
  CHECK_EQ(loop->SetKeepAlive(id, true, 0, 1, 10), UV_EINVAL);
  CHECK_EQ(loop->SetKeepAlive(id, true, 5, 0, 10), UV_EINVAL);
  CHECK_EQ(IntOption(mine, SOL_SOCKET, SO_KEEPALIVE), 1);
  CHECK_EQ(loop->SetKeepAlive(id, false, 0, 0, 0), 0);
  CHECK_EQ(IntOption(mine, SOL_SOCKET, SO_KEEPALIVE), 0);

  CHECK_EQ(loop->SetTypeOfService(id, 0x28), 0);
  int tos = -1;
  CHECK_EQ(loop->GetTypeOfService(id, &tos), 0);
  CHECK_EQ(tos, 0x28);
  CHECK_EQ(IntOption(mine, IPPROTO_IP, IP_TOS), 0x28);

  // No TCP_USER_TIMEOUT on Windows (socket_ops_win.cc says why not TCP_MAXRT).
  CHECK_EQ(loop->SetUserTimeout(id, 1500), UV_ENOTSUP);
  loop.CloseAll({id});
  CHECK_EQ(loop->SetKeepAlive(id, true, 1, 1, 1), UV_EBADF);
  CHECK_EQ(loop->SetTypeOfService(id, 1), UV_EBADF);
  closesocket(peer);
}

// SO_REUSEADDR on Windows lets a second socket take a port over rather
// than share its connections: no balancing listeners, as libuv says.
BACKEND_TEST(iocp, reuse_port_is_not_supported) {
  Loop loop;
  ListenOptions options;
  options.reuse_port = true;
  SocketAddress any;
  REQUIRE(SocketAddress::FromIp("127.0.0.1", 0, &any));
  HandleId id = kInvalidHandle;
  CHECK_EQ(loop->Listen(any, options, &id), UV_ENOTSUP);
  CHECK_EQ(id, kInvalidHandle);
}

// A connect ConnectEx refuses at the post (no packet comes) is still the
// handle's connect event, as every backend reports connect(2)'s result
// (node's message for it names the socket's local address). The limited
// broadcast address is refused at once: Windows says EADDRNOTAVAIL; Wine
// hands the connect to Linux, whose connect(2) says ENETUNREACH at once.
BACKEND_TEST(iocp, connect_refused_at_the_post_is_a_connect_event) {
  Loop loop;
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) { Track(seen, e); };
  SocketAddress remote;
  REQUIRE(SocketAddress::FromIp("255.255.255.255", 80, &remote));
  HandleId client = kInvalidHandle;
  REQUIRE(loop->Connect(remote, nullptr, &client) == 0);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status != Seen().connect_status; }));
  CHECK_EQ(seen[client].connect_status, UnderWine() ? UV_ENETUNREACH : UV_EADDRNOTAVAIL);
  SocketAddress local;
  CHECK_EQ(loop->GetSockName(client, &local), 0);  // the handle lives on for node's message
  loop.CloseAll({client});
}

// Socket options through the Backend interface, checked on the socket
// itself (getsockopt on the descriptor found by its addresses): keepalive
// with interval and count, type of service, TCP_USER_TIMEOUT, SO_REUSEPORT
// listeners sharing a port.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>

#include "test/harness.h"
#include "test/loop.h"
#include "test/seen.h"

using namespace iocpnet;
using namespace iocpnet::test;

namespace {

SocketAddress Loopback(uint16_t port) {
  SocketAddress address;
  SocketAddress::FromIp("127.0.0.1", port, &address);
  return address;
}

// The descriptor of this process whose local and peer ports are these (the
// backend never shows its descriptors; the test finds the socket itself).
int FindSocket(uint16_t local_port, uint16_t peer_port) {
  for (int fd = 0; fd < 4096; ++fd) {
    sockaddr_in local{}, peer{};
    socklen_t length = sizeof(local);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0 || local.sin_family != AF_INET) continue;
    length = sizeof(peer);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) {
      if (peer_port == 0 && ntohs(local.sin_port) == local_port) return fd;  // a listener
      continue;
    }
    if (ntohs(local.sin_port) == local_port && ntohs(peer.sin_port) == peer_port) return fd;
  }
  return -1;
}

int IntOption(int fd, int level, int name) {
  int value = -1;
  socklen_t length = sizeof(value);
  if (getsockopt(fd, level, name, &value, &length) != 0) return -1;
  return value;
}

struct Pair {
  HandleId server = kInvalidHandle;
  HandleId client = kInvalidHandle;
  HandleId accepted = kInvalidHandle;
  int client_fd = -1;
};

Pair Connected(Loop& loop, std::map<HandleId, Seen>& seen) {
  Pair pair;
  uint16_t port = 0;
  pair.server = loop.ListenTcp("127.0.0.1", &port);
  loop.on_event = [&seen, &pair](const Event& e) {
    if (e.kind == EventKind::kConnection) pair.accepted = e.peer;
    Track(seen, e);
  };
  REQUIRE(loop->Connect(Loopback(port), nullptr, &pair.client) == 0);
  REQUIRE(loop.RunUntil([&] { return seen[pair.client].connect_status == 0 && pair.accepted != kInvalidHandle; }));
  SocketAddress local;
  REQUIRE(loop->GetSockName(pair.client, &local) == 0);
  pair.client_fd = FindSocket(local.port(), port);
  REQUIRE(pair.client_fd >= 0);
  return pair;
}

}  // namespace

TEST(keepalive_sets_idle_interval_and_count) {
  Loop loop;
  std::map<HandleId, Seen> seen;
  Pair pair = Connected(loop, seen);
  int fd = pair.client_fd;
  CHECK_EQ(loop->SetKeepAlive(pair.client, true, 60, 1, 10), 0);  // what node before 24.19 asks for
  CHECK_EQ(IntOption(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  CHECK_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPIDLE), 60);
  CHECK_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPINTVL), 1);
  CHECK_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPCNT), 10);
  CHECK_EQ(loop->SetKeepAlive(pair.client, true, 5, 3, 4), 0);
  CHECK_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPIDLE), 5);
  CHECK_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPINTVL), 3);
  CHECK_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
  // Like libuv: a 0 is refused after SO_KEEPALIVE is on; nothing else changes.
  CHECK_EQ(loop->SetKeepAlive(pair.client, true, 0, 3, 4), UV_EINVAL);
  CHECK_EQ(loop->SetKeepAlive(pair.client, true, 7, 0, 4), UV_EINVAL);
  CHECK_EQ(loop->SetKeepAlive(pair.client, true, 7, 3, 0), UV_EINVAL);
  CHECK_EQ(IntOption(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  CHECK_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPIDLE), 5);
  CHECK_EQ(loop->SetKeepAlive(pair.client, true, 7, 2, 1000000000), UV_EINVAL);  // the kernel's limit
  CHECK_EQ(loop->SetKeepAlive(pair.client, false, 0, 0, 0), 0);
  CHECK_EQ(IntOption(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  loop.CloseAll({pair.client, pair.accepted, pair.server});
  CHECK_EQ(loop->SetKeepAlive(pair.client, true, 1, 1, 1), UV_EBADF);
}

TEST(type_of_service_and_user_timeout) {
  Loop loop;
  std::map<HandleId, Seen> seen;
  Pair pair = Connected(loop, seen);
  int tos = -1;
  CHECK_EQ(loop->GetTypeOfService(pair.client, &tos), 0);
  CHECK_EQ(tos, 0);
  CHECK_EQ(loop->SetTypeOfService(pair.client, 0x28), 0);
  CHECK_EQ(loop->GetTypeOfService(pair.client, &tos), 0);
  CHECK_EQ(tos, 0x28);
  CHECK_EQ(IntOption(pair.client_fd, IPPROTO_IP, IP_TOS), 0x28);
  CHECK_EQ(loop->SetUserTimeout(pair.client, 1500), 0);
  CHECK_EQ(IntOption(pair.client_fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 1500);
  CHECK_EQ(loop->SetUserTimeout(pair.client, 0), 0);
  CHECK_EQ(IntOption(pair.client_fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 0);
  loop.CloseAll({pair.client, pair.accepted, pair.server});
  CHECK_EQ(loop->GetTypeOfService(pair.client, &tos), UV_EBADF);
  CHECK_EQ(loop->SetTypeOfService(pair.client, 1), UV_EBADF);
  CHECK_EQ(loop->SetUserTimeout(pair.client, 1), UV_EBADF);
}

TEST(type_of_service_ipv6_is_the_traffic_class) {
  Loop loop;
  std::map<HandleId, Seen> seen;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("::1", &port);
  HandleId accepted = kInvalidHandle;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) accepted = e.peer;
    Track(seen, e);
  };
  SocketAddress remote;
  REQUIRE(SocketAddress::FromIp("::1", port, &remote));
  HandleId client = kInvalidHandle;
  REQUIRE(loop->Connect(remote, nullptr, &client) == 0);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0 && accepted != kInvalidHandle; }));
  int tos = -1;
  CHECK_EQ(loop->SetTypeOfService(client, 0xb8), 0);
  CHECK_EQ(loop->GetTypeOfService(client, &tos), 0);
  CHECK_EQ(tos, 0xb8);
  loop.CloseAll({client, accepted, server});
}

// Two listeners on one port (each as a worker's engine would have it): both
// bind, and the kernel spreads connections over them. Without reuse_port the
// second is refused as node's is.
TEST(reuse_port_listeners_share_a_port) {
  Loop loop;
  uint16_t port = 0;
  ListenOptions options;
  options.reuse_port = true;
  HandleId first = loop.ListenTcp("127.0.0.1", &port, options);
  HandleId second = kInvalidHandle;
  CHECK_EQ(loop->Listen(Loopback(port), options, &second), 0);
  HandleId refused = kInvalidHandle;
  CHECK_EQ(loop->Listen(Loopback(port), ListenOptions(), &refused), UV_EADDRINUSE);
  int first_fd = FindSocket(port, 0);
  REQUIRE(first_fd >= 0);
  CHECK_EQ(IntOption(first_fd, SOL_SOCKET, SO_REUSEPORT), 1);

  std::map<HandleId, int> accepted_by;
  std::set<HandleId> peers;
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection && e.status == 0) {
      ++accepted_by[e.handle];
      peers.insert(e.peer);
    }
    Track(seen, e);
  };
  std::vector<HandleId> clients;
  for (int i = 0; i < 64; ++i) {
    HandleId client = kInvalidHandle;
    REQUIRE(loop->Connect(Loopback(port), nullptr, &client) == 0);
    clients.push_back(client);
  }
  REQUIRE(loop.RunUntil([&] { return peers.size() == clients.size(); }));
  // The kernel hashes each connection's addresses to a listener: with 64
  // the chance that one listener gets none is 2^-63.
  CHECK(accepted_by[first] > 0);
  CHECK(accepted_by[second] > 0);
  std::vector<HandleId> all(clients.begin(), clients.end());
  all.insert(all.end(), peers.begin(), peers.end());
  all.push_back(first);
  all.push_back(second);
  loop.CloseAll(all);
}

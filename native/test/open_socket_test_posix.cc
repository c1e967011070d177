// Backend::Open: sockets made elsewhere (node's `new Socket({ fd })`,
// `listen({ fd })`, what a cluster primary hands a worker) become handles:
// a listener accepts, a connected socket reads and writes, and the engine
// closes the descriptor with the handle. What is not a connected or
// listening stream socket is refused and left to the caller.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>

#include "test/harness.h"
#include "test/loop.h"
#include "test/seen.h"

using namespace iocpnet;
using namespace iocpnet::test;

namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) >= 0; }

// A TCP socket bound to 127.0.0.1 (a free port), listening with `backlog` > 0.
// Returns the descriptor, -1 on failure; `port` is the port it got.
int LoopbackSocket(int backlog, uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      (backlog > 0 && listen(fd, backlog) != 0) ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(address.sin_port);
  return fd;
}

}  // namespace

TEST(open_connected_socket_reads_writes_and_closes_it) {
  Loop loop;
  int pair[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  HandleId id = kInvalidHandle;
  REQUIRE(loop->Open(pair[0], false, 0, &id) == 0);
  CHECK(fcntl(pair[0], F_GETFL) & O_NONBLOCK);
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) { Track(seen, e); };
  CHECK_EQ(loop->ReadStart(id), 0);
  REQUIRE(write(pair[1], "hello", 5) == 5);
  REQUIRE(loop.RunUntil([&] { return seen[id].data == "hello"; }));
  WriteSlice slice{reinterpret_cast<const uint8_t*>("back"), 4, false};
  CHECK_EQ(loop->Write(id, &slice, 1, 7), 0);
  REQUIRE(loop.RunUntil([&] { return loop.WrittenCount(7) == 1 || seen[id].written == 1; }));
  char reply[8] = {};
  loop.RunFor(20);
  CHECK_EQ(read(pair[1], reply, sizeof(reply)), 4);
  CHECK(std::string(reply, 4) == "back");
  CHECK_EQ(loop->Close(id, CloseMode::kGraceful), 0);
  REQUIRE(loop.RunUntil([&] { return loop.IsClosed(id); }));
  CHECK(!IsOpen(pair[0]));  // the engine owned it
  CHECK_EQ(read(pair[1], reply, sizeof(reply)), 0);  // and the peer saw its FIN
  close(pair[1]);
}

TEST(open_listening_socket_accepts) {
  Loop loop;
  uint16_t port = 0;
  int fd = LoopbackSocket(16, &port);
  REQUIRE(fd >= 0);
  HandleId server = kInvalidHandle;
  REQUIRE(loop->Open(fd, false, 0, &server) == 0);
  SocketAddress bound;
  CHECK_EQ(loop->GetSockName(server, &bound), 0);
  CHECK_EQ(bound.port(), port);
  HandleId accepted = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  AcceptAndTrack(loop, seen, &accepted, /*read=*/false);
  HandleId client = ConnectAndAccept(loop, seen, bound.port(), accepted);
  loop.CloseAll({client, accepted, server});
  CHECK(!IsOpen(fd));
}

// A bound socket that does not listen yet (node's listen({ fd }); what a
// cluster primary shares with a worker under SCHED_NONE): with a backlog it
// is made to listen, without one it is refused and left as it was.
TEST(open_bound_socket_listens_with_a_backlog) {
  Loop loop;
  uint16_t port = 0;
  int fd = LoopbackSocket(0, &port);  // bound, not listening
  REQUIRE(fd >= 0);
  HandleId server = kInvalidHandle;
  CHECK_EQ(loop->Open(fd, true, 0, &server), UV_EINVAL);
  CHECK_EQ(server, kInvalidHandle);
  REQUIRE(loop->Open(fd, true, 16, &server) == 0);
  close(fd);  // the caller's copy: the engine listens on its own
  HandleId accepted = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  AcceptAndTrack(loop, seen, &accepted, /*read=*/false);
  HandleId client = ConnectAndAccept(loop, seen, port, accepted);
  loop.CloseAll({client, accepted, server});
}

// Cluster workers under SCHED_NONE each listen on their own copy of one
// socket: closing one copy must not stop the others (no shutdown(2) of a
// socket that was opened from a descriptor).
TEST(open_closing_one_copy_of_a_listening_socket_leaves_the_others_listening) {
  Loop loop;
  uint16_t port = 0;
  int fd = LoopbackSocket(16, &port);
  REQUIRE(fd >= 0);
  HandleId copies[2] = {kInvalidHandle, kInvalidHandle};
  for (HandleId& copy : copies) REQUIRE(loop->Open(fd, true, 0, &copy) == 0);
  close(fd);
  HandleId first = copies[0];
  HandleId second = copies[1];
  HandleId accepted = kInvalidHandle;
  HandleId accepted_by = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection && e.status == 0) {
      accepted = e.peer;
      accepted_by = e.handle;
    }
    Track(seen, e);
  };
  CHECK_EQ(loop->Close(first, CloseMode::kAbort), 0);
  REQUIRE(loop.RunUntil([&] { return loop.IsClosed(first); }));
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  REQUIRE(loop.RunUntil([&] { return accepted != kInvalidHandle && seen[client].connect_status == 0; }));
  CHECK_EQ(accepted_by, second);
  loop.CloseAll({client, accepted, second});
}

// A worker given node's handle for a connection: the engine works on its
// own copy, the original is closed by its owner, the socket lives on.
TEST(open_duplicate_leaves_the_descriptor_to_the_caller) {
  Loop loop;
  int pair[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  HandleId id = kInvalidHandle;
  REQUIRE(loop->Open(pair[0], true, 0, &id) == 0);
  close(pair[0]);  // the caller's copy
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) { Track(seen, e); };
  CHECK_EQ(loop->ReadStart(id), 0);
  REQUIRE(write(pair[1], "dup", 3) == 3);
  REQUIRE(loop.RunUntil([&] { return seen[id].data == "dup"; }));
  shutdown(pair[1], SHUT_WR);
  REQUIRE(loop.RunUntil([&] { return seen[id].end; }));
  loop.CloseAll({id});
  char byte;
  CHECK_EQ(read(pair[1], &byte, 1), 0);  // the engine's copy is closed too
  close(pair[1]);
}

TEST(open_refuses_what_is_not_a_stream_socket) {
  Loop loop;
  HandleId id = kInvalidHandle;
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  CHECK_EQ(loop->Open(pipe_fds[0], true, 0, &id), UV_ENOTSOCK);
  CHECK(IsOpen(pipe_fds[0]));
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK_EQ(loop->Open(udp, false, 0, &id), UV_EINVAL);
  CHECK(IsOpen(udp));
  close(udp);
  int fresh = socket(AF_INET, SOCK_STREAM, 0);  // neither listening nor connected
  CHECK_EQ(loop->Open(fresh, false, 0, &id), UV_EINVAL);
  CHECK(IsOpen(fresh));
  close(fresh);
  uint16_t port = 0;
  int listening = LoopbackSocket(4, &port);  // refused when only a connected socket is wanted
  REQUIRE(listening >= 0);
  CHECK_EQ(loop->Open(listening, false, -1, &id), UV_EINVAL);
  CHECK(IsOpen(listening));
  close(listening);
  CHECK_EQ(loop->Open(-1, false, 0, &id), UV_EBADF);
  CHECK_EQ(id, kInvalidHandle);
}

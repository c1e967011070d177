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

}  // namespace

TEST(open_connected_socket_reads_writes_and_closes_it) {
  Loop loop;
  int pair[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  HandleId id = kInvalidHandle;
  REQUIRE(loop->Open(pair[0], false, &id) == 0);
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
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(listen(fd, 16) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  HandleId server = kInvalidHandle;
  REQUIRE(loop->Open(fd, false, &server) == 0);
  SocketAddress bound;
  CHECK_EQ(loop->GetSockName(server, &bound), 0);
  CHECK_EQ(bound.port(), ntohs(address.sin_port));
  HandleId accepted = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection && e.status == 0) accepted = e.peer;
    Track(seen, e);
  };
  HandleId client = loop.ConnectTcp("127.0.0.1", bound.port());
  REQUIRE(loop.RunUntil([&] { return accepted != kInvalidHandle && seen[client].connect_status == 0; }));
  loop.CloseAll({client, accepted, server});
  CHECK(!IsOpen(fd));
}

// A worker given node's handle for a connection: the engine works on its
// own copy, the original is closed by its owner, the socket lives on.
TEST(open_duplicate_leaves_the_descriptor_to_the_caller) {
  Loop loop;
  int pair[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  HandleId id = kInvalidHandle;
  REQUIRE(loop->Open(pair[0], true, &id) == 0);
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
  CHECK_EQ(loop->Open(pipe_fds[0], true, &id), UV_ENOTSOCK);
  CHECK(IsOpen(pipe_fds[0]));
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK_EQ(loop->Open(udp, false, &id), UV_EINVAL);
  CHECK(IsOpen(udp));
  close(udp);
  int fresh = socket(AF_INET, SOCK_STREAM, 0);  // neither listening nor connected
  CHECK_EQ(loop->Open(fresh, false, &id), UV_EINVAL);
  CHECK(IsOpen(fresh));
  close(fresh);
  CHECK_EQ(loop->Open(-1, false, &id), UV_EBADF);
  CHECK_EQ(id, kInvalidHandle);
}

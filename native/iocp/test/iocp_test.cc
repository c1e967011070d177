// Tests of the IOCP backend's own mechanism (Windows; under Wine in CI).
#include <winsock2.h>
#include <ws2tcpip.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "test/harness.h"
#include "test/loop.h"
#include "test/peer.h"
#include "test/seen.h"

using namespace iocpnet;
using namespace iocpnet::test;

namespace {

// An echo round trip on a backend with `threads` I/O threads.
void EchoWithThreads(uint32_t threads) {
  BackendOptions options = SmallOptions();
  options.iocp.io_threads = threads;
  Loop loop(options);
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  std::map<HandleId, Seen> seen;
  std::vector<HandleId> handles{server};
  HandleId accepted = kInvalidHandle;
  uint64_t echo_token = 1000;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      accepted = e.peer;
      handles.push_back(e.peer);
      loop->ReadStart(e.peer);
      return;
    }
    if (e.kind == EventKind::kData && e.handle == accepted) {
      WriteSlice slice{e.data, e.size, false};
      loop->Write(e.handle, &slice, 1, ++echo_token);
      return;
    }
    Track(seen, e);
  };
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  handles.push_back(client);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0; }));
  REQUIRE(loop->ReadStart(client) == 0);
  std::string message(100000, 'e');
  for (int i = 0; i < 20; ++i) {
    WriteSlice slice{reinterpret_cast<const uint8_t*>(message.data()), message.size(), false};
    REQUIRE(loop->Write(client, &slice, 1, static_cast<uint64_t>(i + 1)) == 0);
  }
  REQUIRE(loop.RunUntil([&] { return seen[client].bytes >= 20 * message.size(); }));
  CHECK_EQ(seen[client].bytes, 20 * message.size());
  loop.CloseAll(handles);
}

}  // namespace

// Rule 12: the I/O thread count is an option; any count serves the same.
BACKEND_TEST(iocp, iocp_io_threads_option) {
  for (uint32_t threads : {1u, 2u, 6u}) EchoWithThreads(threads);
}

// server.close(): the listening socket goes at once (as libuv), so a connect
// made right after is refused, not accepted by a posted AcceptEx and reset.
BACKEND_TEST(iocp, iocp_listener_close_refuses_at_once) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  REQUIRE(loop->Close(server, CloseMode::kGraceful) == 0);
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) { Track(seen, e); };
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status != 1 && loop.IsClosed(server); }));
  // Wine difference 8 (the client got the freed port and connected to
  // itself): see native/test/stream_test.cc connect_refused.
  if (!(UnderWine() && loop.ConnectedToItself(client))) CHECK_EQ(seen[client].connect_status, UV_ECONNREFUSED);
  loop.CloseAll({client});
}

// A named pipe has no half-close. As libuv: after Shutdown, a read that stays
// empty for a moment ends the stream (kEnd); closing then tells the peer.
BACKEND_TEST(iocp, iocp_pipe_shutdown_ends_the_stream) {
  Loop loop;
  SocketAddress address;
  HandleId server = loop.ListenPath(TempPipePath("shutdown"), &address);
  std::map<HandleId, Seen> seen;
  HandleId accepted = kInvalidHandle;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      accepted = e.peer;
      loop->ReadStart(accepted);
      return;
    }
    if (e.kind == EventKind::kEnd && e.handle == accepted) loop->Close(accepted, CloseMode::kGraceful);
    Track(seen, e);
  };
  HandleId client = kInvalidHandle;
  REQUIRE(loop->Connect(address, nullptr, &client) == 0);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0 && accepted != kInvalidHandle; }));
  REQUIRE(loop->ReadStart(client) == 0);
  WriteSlice slice{reinterpret_cast<const uint8_t*>("last words"), 10, false};
  REQUIRE(loop->Write(client, &slice, 1, 1) == 0);
  REQUIRE(loop->Shutdown(client) == 0);
  auto start = std::chrono::steady_clock::now();
  REQUIRE(loop.RunUntil([&] { return seen[client].end; }, 5000));
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  CHECK(ms < 2000);
  CHECK_EQ(seen[client].shutdown_status, 0);
  CHECK(seen[accepted].data == "last words");
  REQUIRE(loop->Close(client, CloseMode::kGraceful) == 0);
  REQUIRE(loop.RunUntil([&] { return seen[accepted].end || loop.IsClosed(accepted); }));
  loop.CloseAll({client, accepted, server});
}

// More clients than the listener has pipe instances waiting, connected in one
// go: the later ones find every instance busy and retry (from the name their
// connection kept) until the listener has accepted and offered new ones.
BACKEND_TEST(iocp, iocp_pipe_connect_retries_while_every_instance_is_busy) {
  Loop loop;
  SocketAddress address;
  HandleId server = loop.ListenPath(TempPipePath("busy"), &address);
  std::map<HandleId, Seen> seen;
  std::vector<HandleId> handles{server};
  size_t accepted = 0;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      ++accepted;
      handles.push_back(e.peer);
      return;
    }
    Track(seen, e);
  };
  constexpr size_t kClients = 12;  // three times the instances a pipe listener offers
  std::vector<HandleId> clients;
  for (size_t i = 0; i < kClients; ++i) {
    HandleId client = kInvalidHandle;
    REQUIRE(loop->Connect(address, nullptr, &client) == 0);
    clients.push_back(client);
    handles.push_back(client);
  }
  REQUIRE(loop.RunUntil([&] {
    for (HandleId client : clients) {
      if (seen[client].connect_status == 1) return false;
    }
    return accepted == kClients;
  }, 5000));
  for (HandleId client : clients) CHECK_EQ(seen[client].connect_status, 0);
  CHECK_EQ(accepted, kClients);
  loop.CloseAll(handles);
}

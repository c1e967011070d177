// End-to-end tests of every backend over loopback, driven only through the
// Backend interface (test/loop.h: wait for completions, Drain, Flush).
// `path` is a Unix-domain socket on POSIX and a named pipe on Windows.
#ifndef _WIN32
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "test/harness.h"
#include "test/loop.h"
#include "test/peer.h"
#include "test/seen.h"

using namespace iocpnet;
using namespace iocpnet::test;

namespace {


// A server that echoes what it reads and closes when the peer ends.
struct EchoServer {
  Loop& loop;
  std::set<HandleId> peers;
  uint64_t next_token = 1u << 30;
  explicit EchoServer(Loop& l) : loop(l) {}
  // Returns true when the event belonged to the server side.
  bool Handle(const Event& e) {
    if (e.kind == EventKind::kConnection) {
      CHECK_EQ(e.status, 0);
      peers.insert(e.peer);
      CHECK_EQ(loop->ReadStart(e.peer), 0);
      return true;
    }
    if (peers.count(e.handle) == 0) return false;
    if (e.kind == EventKind::kData) {
      WriteSlice slice{e.data, e.size, false};
      CHECK_EQ(loop->Write(e.handle, &slice, 1, next_token++), 0);
    } else if (e.kind == EventKind::kEnd || e.kind == EventKind::kReadError) {
      CHECK_EQ(loop->Close(e.handle, CloseMode::kGraceful), 0);
    } else if (e.kind == EventKind::kWritten) {
      CHECK_EQ(e.status, 0);
    }
    return true;
  }
};

void RunEcho(const SocketAddress& listen_address, const SocketAddress& connect_address) {
  Loop loop;
  HandleId server = kInvalidHandle;
  REQUIRE(loop->Listen(listen_address, ListenOptions(), &server) == 0);
  SocketAddress bound;
  REQUIRE(loop->GetSockName(server, &bound) == 0);
  SocketAddress target = connect_address;
  if (!target.IsUnix()) REQUIRE(SocketAddress::FromIp(connect_address.ip(), bound.port(), &target));
  EchoServer echo(loop);
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) {
    if (!echo.Handle(e)) Track(seen, e);
  };
  HandleId client = kInvalidHandle;
  REQUIRE(loop->Connect(target, nullptr, &client) == 0);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status != 1; }));
  REQUIRE(seen[client].connect_status == 0);
  CHECK_EQ(loop->ReadStart(client), 0);
  SocketAddress peer;
  CHECK_EQ(loop->GetPeerName(client, &peer), 0);
  CHECK_EQ(peer.family(), target.family());
  static const char kBorrowed[] = "borrowed bytes;";
  std::string copied = "hello world;";
  WriteSlice slices[2] = {{reinterpret_cast<const uint8_t*>(copied.data()), copied.size(), false},
                          {reinterpret_cast<const uint8_t*>(kBorrowed), sizeof(kBorrowed) - 1, true}};
  CHECK_EQ(loop->Write(client, slices, 2, 1), 0);
  copied = "XXXXXXXXXXXX";  // copied slices are ours to reuse at once
  std::string expected = std::string("hello world;") + kBorrowed;
  REQUIRE(loop.RunUntil([&] { return seen[client].data.size() >= expected.size(); }));
  CHECK(seen[client].data == expected);
  CHECK_EQ(loop.WrittenStatus(1), 0);
  CHECK_EQ(loop->Shutdown(client), 0);
  REQUIRE(loop.RunUntil([&] { return seen[client].end && seen[client].shutdown_status == 0; }));
  CHECK_EQ(loop->Close(client, CloseMode::kGraceful), 0);
  CHECK_EQ(loop->Close(server, CloseMode::kGraceful), 0);
  REQUIRE(loop.RunUntil([&] {
    for (HandleId p : echo.peers)
      if (!loop.IsClosed(p)) return false;
    return loop.IsClosed(client) && loop.IsClosed(server);
  }));
  CHECK(!loop->HasRefedActiveHandles());
}

SocketAddress Ip(const std::string& ip, uint16_t port = 0) {
  SocketAddress a;
  if (!SocketAddress::FromIp(ip, port, &a)) Fail(__FILE__, __LINE__, "bad ip " + ip);
  return a;
}

SocketAddress Path(const std::string& path) {
  SocketAddress a;
  if (!SocketAddress::FromPath(path, &a)) Fail(__FILE__, __LINE__, "bad path");
  return a;
}

std::string TempSocketPath(const char* tag) { return TempPipePath(tag); }

}  // namespace

TEST(echo_ipv4) { RunEcho(Ip("127.0.0.1"), Ip("127.0.0.1")); }

TEST(echo_ipv6) { RunEcho(Ip("::1"), Ip("::1")); }

TEST(echo_unix_path) {
  std::string path = TempSocketPath("echo");
  RemovePipePath(path);
  RunEcho(Path(path), Path(path));
#ifndef _WIN32
  struct stat st;
  CHECK(stat(path.c_str(), &st) != 0);  // the listener removed its path on close
#endif
}

#ifndef _WIN32
// Linux's abstract socket names (no Windows equivalent).
TEST(echo_unix_abstract) {
  std::string name = std::string(1, '\0') + "iocpnet-" + std::to_string(getpid());
  RunEcho(Path(name), Path(name));
}
#endif

TEST(ipv6_wildcard_dual_stack) {
  for (bool v6only : {false, true}) {
    Loop loop;
    ListenOptions options;
    options.ipv6_only = v6only;
    uint16_t port = 0;
    HandleId server = loop.ListenTcp("::", &port, options);
    std::set<HandleId> accepted;
    std::map<HandleId, Seen> seen;
    loop.on_event = [&](const Event& e) {
      if (e.kind == EventKind::kConnection) accepted.insert(e.peer);
      Track(seen, e);
    };
    HandleId client = loop.ConnectTcp("127.0.0.1", port);
    REQUIRE(loop.RunUntil([&] { return seen[client].connect_status != 1; }));
    if (v6only) {
      // Wine difference 8 (the client's bind(0) got the IPv4 port nobody
      // listens on, and it connected to itself): see connect_refused.
      if (!(UnderWine() && loop.ConnectedToItself(client))) CHECK_EQ(seen[client].connect_status, UV_ECONNREFUSED);
    } else {
      CHECK_EQ(seen[client].connect_status, 0);
      REQUIRE(loop.RunUntil([&] { return !accepted.empty(); }));
      SocketAddress peer;
      CHECK_EQ(loop->GetPeerName(*accepted.begin(), &peer), 0);
      CHECK(peer.ip() == "::ffff:127.0.0.1");
    }
    std::vector<HandleId> all(accepted.begin(), accepted.end());
    all.push_back(client);
    all.push_back(server);
    loop.CloseAll(all);
    CHECK_EQ(loop.ClosedCount(server), 1);
  }
}

TEST(listen_eaddrinuse) {
  Loop loop;
  uint16_t port = 0;
  HandleId first = loop.ListenTcp("127.0.0.1", &port);
  HandleId second = kInvalidHandle;
  CHECK_EQ(loop->Listen(Ip("127.0.0.1", port), ListenOptions(), &second), UV_EADDRINUSE);
  CHECK_EQ(second, kInvalidHandle);
  std::string path = TempSocketPath("inuse");
  RemovePipePath(path);
  HandleId unix_first = kInvalidHandle;
  CHECK_EQ(loop->Listen(Path(path), ListenOptions(), &unix_first), 0);
  // Wine difference 6: Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE, so a
  // second server on a pipe name is not refused there (node.exe's own net
  // gets the same under Wine); Windows refuses it with EADDRINUSE.
  CHECK_EQ(loop->Listen(Path(path), ListenOptions(), &second), UnderWine() ? 0 : UV_EADDRINUSE);
  std::vector<HandleId> all{first, unix_first};
  if (second != kInvalidHandle) all.push_back(second);
  loop.CloseAll(all);
  RemovePipePath(path);
}

TEST(connect_refused) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  loop.CloseAll({server});
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) { Track(seen, e); };
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  CHECK(loop->HasRefedActiveHandles());  // connecting
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status != 1; }));
  // Wine difference 8: a client is bound to port 0 before ConnectEx (as
  // libuv binds it), and Linux gives bind(0) the same half of its port range
  // as the listener's bind(0), so under Wine the client may get the port the
  // listener just freed and connect to itself (a TCP simultaneous open).
  // Windows hands ports out in order; Linux's connect() takes the other half.
  if (!(UnderWine() && loop.ConnectedToItself(client))) CHECK_EQ(seen[client].connect_status, UV_ECONNREFUSED);
  CHECK_EQ(loop->Close(client, CloseMode::kGraceful), 0);
  REQUIRE(loop.RunUntil([&] { return loop.IsClosed(client); }));
  // Unix: a missing path is ENOENT.
  HandleId unix_client = kInvalidHandle;
  REQUIRE(loop->Connect(Path(TempSocketPath("missing")), nullptr, &unix_client) == 0);
  REQUIRE(loop.RunUntil([&] { return seen[unix_client].connect_status != 1; }));
  CHECK_EQ(seen[unix_client].connect_status, UV_ENOENT);
  loop.CloseAll({unix_client});
}

TEST(connect_bind_local_error) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  SocketAddress local = Ip("127.0.0.1", port);  // taken by the listener
  HandleId client = kInvalidHandle;
  CHECK_EQ(loop->Connect(Ip("127.0.0.1", port), &local, &client), UV_EADDRINUSE);
  loop.CloseAll({server});
}

TEST(many_connections_1000) {
#ifndef _WIN32
  rlimit limit;
  REQUIRE(getrlimit(RLIMIT_NOFILE, &limit) == 0);
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  REQUIRE(getrlimit(RLIMIT_NOFILE, &limit) == 0);
  REQUIRE(limit.rlim_cur >= 2100);
#endif
  Loop loop;
  uint16_t port = 0;
  ListenOptions options;
  options.backlog = 1024;
  HandleId server = loop.ListenTcp("127.0.0.1", &port, options);
  EchoServer echo(loop);
  std::map<HandleId, Seen> seen;
  std::map<HandleId, std::string> sent;
  const int kClients = 1000;
  int done = 0;
  loop.on_event = [&](const Event& e) {
    if (echo.Handle(e)) return;
    Track(seen, e);
    Seen& s = seen[e.handle];
    if (e.kind == EventKind::kConnect) {
      CHECK_EQ(e.status, 0);
      CHECK_EQ(loop->ReadStart(e.handle), 0);
      std::string& message = sent[e.handle];
      message = "client " + std::to_string(e.handle) + std::string(100, '.');
      WriteSlice slice{reinterpret_cast<const uint8_t*>(message.data()), message.size(), false};
      CHECK_EQ(loop->Write(e.handle, &slice, 1, e.handle), 0);
    } else if (e.kind == EventKind::kData && s.data.size() == sent[e.handle].size()) {
      CHECK(s.data == sent[e.handle]);
      CHECK_EQ(loop->Close(e.handle, CloseMode::kGraceful), 0);
    } else if (e.kind == EventKind::kClosed) {
      ++done;
    }
  };
  std::vector<HandleId> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(loop.ConnectTcp("127.0.0.1", port));
  CHECK(loop.RunUntil([&] { return done == kClients; }, 30000));
  CHECK_EQ(done, kClients);
  CHECK(loop.RunUntil([&] {
    for (HandleId p : echo.peers)
      if (!loop.IsClosed(p)) return false;
    return echo.peers.size() == static_cast<size_t>(kClients);
  }, 10000));
  for (HandleId c : clients) CHECK_EQ(loop.WrittenCount(c), 1);
  loop.CloseAll({server});
  CHECK(!loop->HasRefedActiveHandles());
}

TEST(transfer_64mib_checksum) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  const size_t kTotal = 64u << 20;
  const size_t kChunk = 256u << 10;
  std::vector<uint8_t> source(kTotal);
  for (size_t i = 0; i < kTotal; ++i) source[i] = PatternByte(i);
  uint64_t expected_hash = Fnv1a(kFnvSeed, source.data(), kTotal);
  std::map<HandleId, Seen> seen;
  HandleId accepted = kInvalidHandle;
  size_t offset = 0;
  int outstanding = 0;
  uint64_t token = 0;
  HandleId client = kInvalidHandle;
  auto pump = [&] {
    // Keep up to 8 writes queued; alternate copied and borrowed slices.
    while (outstanding < 8 && offset < kTotal) {
      WriteSlice slice{source.data() + offset, kChunk, (token & 1) == 0};
      CHECK_EQ(loop->Write(client, &slice, 1, token++), 0);
      offset += kChunk;
      ++outstanding;
    }
    if (offset == kTotal && seen[client].shutdown_status == 1 && outstanding == 0) {
      CHECK_EQ(loop->Shutdown(client), 0);
      seen[client].shutdown_status = 2;  // requested
    }
  };
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      accepted = e.peer;
      seen[accepted].keep_data = false;
      CHECK_EQ(loop->ReadStart(accepted), 0);
      return;
    }
    Track(seen, e);
    if (e.handle == client && e.kind == EventKind::kConnect) pump();
    if (e.handle == client && e.kind == EventKind::kWritten) {
      CHECK_EQ(e.status, 0);
      --outstanding;
      pump();
    }
  };
  client = loop.ConnectTcp("127.0.0.1", port);
  CHECK(loop.RunUntil([&] { return accepted != kInvalidHandle && seen[accepted].end; }, 40000));
  CHECK_EQ(seen[accepted].bytes, kTotal);
  CHECK(seen[accepted].hash == expected_hash);
  CHECK_EQ(seen[client].write_errors, 0);
  // A stream this long is received in place (EventSink::LendReceiveMemory)
  // where the backend reads on the loop's thread; IOCP receives on its I/O
  // threads, into its own buffers.
  if (std::string(loop->Name()) != "iocp") CHECK(loop.lent_chunks() > 0u);
  CHECK(loop.RunUntil([&] { return seen[client].shutdown_status == 0; }));
  CHECK_EQ(loop->QueuedBytes(client), 0u);
  loop.CloseAll({client, accepted, server});
}

// TryWrite (uv_try_write): sends at once only when nothing of the handle is
// queued or in flight, keeps the byte order with Write(), reports a partial
// send, and refuses (UV_EAGAIN, nothing sent) every handle it cannot use.
TEST(try_write_only_when_nothing_is_queued) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  std::map<HandleId, Seen> seen;
  HandleId accepted = kInvalidHandle;
  AcceptAndTrack(loop, seen, &accepted, /*read=*/true);
  size_t written = 99;
  WriteSlice early{reinterpret_cast<const uint8_t*>("x"), 1, true};
  HandleId connecting = loop.ConnectTcp("127.0.0.1", port);
  CHECK_EQ(loop->TryWrite(connecting, &early, 1, &written), UV_EAGAIN);  // not connected yet
  CHECK_EQ(written, 0u);
  CHECK_EQ(loop->TryWrite(server, &early, 1, &written), UV_EAGAIN);  // a listener
  CHECK_EQ(loop->TryWrite(kInvalidHandle, &early, 1, &written), UV_EAGAIN);
  REQUIRE(loop.RunUntil([&] { return seen[connecting].connect_status == 0 && accepted != kInvalidHandle; }));
  HandleId client = connecting;

  const uint8_t* text = reinterpret_cast<const uint8_t*>("abcdefghijkl");
  WriteSlice two[2] = {{text, 3, true}, {text + 3, 3, false}};
  CHECK_EQ(loop->TryWrite(client, two, 2, &written), 0);
  CHECK_EQ(written, 6u);
  CHECK_EQ(loop->QueuedBytes(client), 0u);
  WriteSlice queued{text + 6, 3, false};
  CHECK_EQ(loop->Write(client, &queued, 1, 1), 0);
  WriteSlice last{text + 9, 3, true};
  CHECK_EQ(loop->TryWrite(client, &last, 1, &written), UV_EAGAIN);  // would overtake "ghi"
  CHECK_EQ(written, 0u);
  CHECK(loop.RunUntil([&] { return seen[accepted].data == "abcdefghi" && loop.WrittenCount(1) == 1; }));
  CHECK_EQ(loop->TryWrite(client, &last, 1, &written), 0);
  CHECK_EQ(written, 3u);
  CHECK(loop.RunUntil([&] { return seen[accepted].data == "abcdefghijkl"; }));

  // More than the socket buffers hold, unread: a partial send; the rest
  // goes through Write() and every byte arrives in order.
  CHECK_EQ(loop->ReadStop(accepted), 0);
  seen[accepted].keep_data = false;
  const size_t kBig = 32u << 20;
  std::vector<uint8_t> big(kBig);
  for (size_t i = 0; i < kBig; ++i) big[i] = PatternByte(i);
  WriteSlice whole{big.data(), kBig, true};
  CHECK_EQ(loop->TryWrite(client, &whole, 1, &written), 0);
  CHECK(written > 0 && written < kBig);
  WriteSlice rest{big.data() + written, kBig - written, true};
  CHECK_EQ(loop->Write(client, &rest, 1, 2), 0);
  CHECK_EQ(loop->QueuedBytes(client), kBig - written);
  uint64_t before = seen[accepted].hash;
  size_t bytes_before = seen[accepted].bytes;
  CHECK_EQ(loop->ReadStart(accepted), 0);
  CHECK(loop.RunUntil([&] { return seen[accepted].bytes == bytes_before + kBig && loop.WrittenCount(2) == 1; }));
  CHECK(seen[accepted].hash == Fnv1a(before, big.data(), kBig));
  CHECK_EQ(loop.WrittenStatus(2), 0);

  CHECK_EQ(loop->Shutdown(client), 0);
  CHECK_EQ(loop->TryWrite(client, &last, 1, &written), UV_EAGAIN);  // after end()
  loop.CloseAll({client, accepted, server});
}

// A turn's first small write goes at once (TryWrite with first_of_turn), so
// a reply leaves while its caller runs; the turn's later writes gather into
// one send at Flush (rule 1), and so does the next turn's first write when the
// last turn with writes gathered several (it will likely do so again).
TEST(try_write_first_small_write_of_a_turn) {
  OneConnection one(/*read=*/true);
  Loop& loop = one.loop;
  std::map<HandleId, Seen>& seen = one.seen;
  const HandleId server = one.server, accepted = one.accepted, client = one.client;
  loop->Flush();  // a turn of its own: the connect's turn wrote nothing

  const uint8_t* text = reinterpret_cast<const uint8_t*>("abcdef");
  WriteSlice a{text, 1, false}, b{text + 1, 1, false}, c{text + 2, 1, false};
  WriteSlice d{text + 3, 1, false}, e{text + 4, 1, false}, f{text + 5, 1, false};
  size_t written = 99;
  CHECK_EQ(loop->TryWrite(client, &a, 1, &written, true), 0);  // the turn's first: sent now
  CHECK_EQ(written, 1u);
  CHECK_EQ(loop->QueuedBytes(client), 0u);
  CHECK_EQ(loop->TryWrite(client, &b, 1, &written, true), UV_EAGAIN);  // the second waits for Flush
  CHECK_EQ(written, 0u);
  CHECK_EQ(loop->Write(client, &b, 1, 1), 0);
  loop->Flush();  // this turn gathered two writes

  CHECK_EQ(loop->TryWrite(client, &c, 1, &written, true), UV_EAGAIN);  // so the next turn's first gathers too
  CHECK_EQ(loop->Write(client, &c, 1, 2), 0);
  CHECK(loop.RunUntil([&] { return loop.WrittenCount(1) == 1 && loop.WrittenCount(2) == 1; }));
  loop->Flush();
  CHECK_EQ(loop->TryWrite(client, &d, 1, &written, true), 0);  // c's turn had one write: sent now again
  CHECK_EQ(written, 1u);
  CHECK_EQ(loop->TryWrite(client, &e, 1, &written, true), UV_EAGAIN);
  CHECK_EQ(loop->Write(client, &e, 1, 3), 0);
  loop->Flush();
  CHECK(loop.RunUntil([&] { return loop.WrittenCount(3) == 1; }));
  CHECK_EQ(loop->TryWrite(client, &f, 1, &written, true), UV_EAGAIN);  // d and e's turn gathered two
  CHECK_EQ(loop->Write(client, &f, 1, 4), 0);
  CHECK(loop.RunUntil([&] { return seen[accepted].data == "abcdef"; }));
  loop.CloseAll({client, accepted, server});
}

TEST(half_close_both_ways) {
  OneConnection one(/*read=*/true);
  Loop& loop = one.loop;
  std::map<HandleId, Seen>& seen = one.seen;
  const HandleId server = one.server, accepted = one.accepted, client = one.client;
  CHECK_EQ(loop->ReadStart(client), 0);
  static const char kRequest[] = "request";
  WriteSlice request{reinterpret_cast<const uint8_t*>(kRequest), 7, true};
  CHECK_EQ(loop->Write(client, &request, 1, 1), 0);
  CHECK_EQ(loop->Shutdown(client), 0);
  CHECK_EQ(loop->Shutdown(client), UV_ENOTCONN);  // only once
  CHECK_EQ(loop->Write(client, &request, 1, 2), UV_EPIPE);
  REQUIRE(loop.RunUntil([&] { return seen[accepted].end; }));
  CHECK(seen[accepted].data == "request");
  CHECK_EQ(seen[client].shutdown_status, 0);
  CHECK_EQ(loop.WrittenStatus(1), 0);
  // The server can still talk to the half-closed client.
  static const char kReply[] = "reply after FIN";
  WriteSlice reply{reinterpret_cast<const uint8_t*>(kReply), sizeof(kReply) - 1, false};
  CHECK_EQ(loop->Write(accepted, &reply, 1, 3), 0);
  CHECK_EQ(loop->Shutdown(accepted), 0);
  REQUIRE(loop.RunUntil([&] { return seen[client].end; }));
  CHECK(seen[client].data == kReply);
  CHECK_EQ(seen[accepted].shutdown_status, 0);
  CHECK(!seen[client].closed && !seen[accepted].closed);
  loop.CloseAll({client, accepted, server});
}

TEST(peer_reset_econnreset) {
  OneConnection one(/*read=*/true);
  Loop& loop = one.loop;
  std::map<HandleId, Seen>& seen = one.seen;
  const HandleId server = one.server, accepted = one.accepted, client = one.client;
  CHECK_EQ(loop->Close(client, CloseMode::kReset), 0);
  REQUIRE(loop.RunUntil([&] { return seen[accepted].read_error != 0 || seen[accepted].end; }));
  CHECK_EQ(seen[accepted].read_error, UV_ECONNRESET);
  CHECK(!seen[accepted].end);
  CHECK(loop.RunUntil([&] { return loop.IsClosed(client); }));
  // Writing to the reset connection fails (EPIPE or ECONNRESET), exactly once.
  static const char kBytes[] = "x";
  WriteSlice slice{reinterpret_cast<const uint8_t*>(kBytes), 1, true};
  CHECK_EQ(loop->Write(accepted, &slice, 1, 9), 0);
  REQUIRE(loop.RunUntil([&] { return loop.WrittenCount(9) == 1; }));
  int status = loop.WrittenStatus(9);
  CHECK(status == UV_EPIPE || status == UV_ECONNRESET);
  loop.CloseAll({accepted, server});
}

TEST(graceful_close_delivers_pending_sends) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  const size_t kTotal = 16u << 20;
  std::vector<uint8_t> source(kTotal);
  for (size_t i = 0; i < kTotal; ++i) source[i] = PatternByte(i + 7);
  std::map<HandleId, Seen> seen;
  std::vector<EventKind> accepted_events;
  HandleId accepted = kInvalidHandle;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      accepted = e.peer;
      // Queue everything, then close at once: nothing may be lost (rule 6).
      for (size_t off = 0, t = 0; off < kTotal; off += 1u << 20, ++t) {
        WriteSlice slice{source.data() + off, 1u << 20, (t % 2) == 0};
        CHECK_EQ(loop->Write(accepted, &slice, 1, 100 + t), 0);
      }
      CHECK(loop->QueuedBytes(accepted) == kTotal);
      CHECK_EQ(loop->Close(accepted, CloseMode::kGraceful), 0);
      WriteSlice late{source.data(), 1, false};
      CHECK_EQ(loop->Write(accepted, &late, 1, 99), UV_EBADF);  // closing: no more writes
      return;
    }
    if (e.handle == accepted) accepted_events.push_back(e.kind);
    Track(seen, e);
  };
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  seen[client].keep_data = false;
  REQUIRE(loop.RunUntil([&] { return accepted != kInvalidHandle; }));
  loop.RunFor(200);  // the client is not reading yet: sends stay pending
  CHECK_EQ(loop->ReadStart(client), 0);
  CHECK(loop.RunUntil([&] { return seen[client].end; }, 20000));
  CHECK_EQ(seen[client].bytes, kTotal);
  CHECK(seen[client].hash == Fnv1a(kFnvSeed, source.data(), kTotal));
  CHECK(loop.RunUntil([&] { return loop.IsClosed(accepted); }));
  for (uint64_t t = 0; t < 16; ++t) CHECK_EQ(loop.WrittenStatus(100 + t), 0);
  REQUIRE(!accepted_events.empty());
  CHECK(accepted_events.back() == EventKind::kClosed);
  CHECK_EQ(seen[accepted].written, 16);
  loop.CloseAll({client, server});
}

TEST(graceful_close_timeout_aborts) {
  BackendOptions options = SmallOptions();
  options.close_timeout_ms = 300;
  OneConnection one(/*read=*/false, options);  // never reads
  Loop& loop = one.loop;
  const HandleId server = one.server, accepted = one.accepted, client = one.client;
  std::vector<uint8_t> big(32u << 20, 'z');
  WriteSlice slice{big.data(), big.size(), false};
  CHECK_EQ(loop->Write(client, &slice, 1, 1), 0);
  loop.RunFor(100);
  CHECK_EQ(loop.WrittenCount(1), 0);  // the peer does not read: stuck
  CHECK_EQ(loop->Close(client, CloseMode::kGraceful), 0);
  auto start = std::chrono::steady_clock::now();
  CHECK(loop.RunUntil([&] { return loop.IsClosed(client); }, 3000));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  CHECK(ms >= 250);
  CHECK_EQ(loop.WrittenCount(1), 1);
  CHECK_EQ(loop.WrittenStatus(1), UV_ECANCELED);
  loop.CloseAll({accepted, server});
}

TEST(stale_handle_ids_rejected) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  loop.CloseAll({server});
  SocketAddress address;
  WriteSlice slice{reinterpret_cast<const uint8_t*>("x"), 1, false};
  CHECK_EQ(loop->ReadStart(server), UV_EBADF);
  CHECK_EQ(loop->ReadStop(server), UV_EBADF);
  CHECK_EQ(loop->Write(server, &slice, 1, 1), UV_EBADF);
  CHECK_EQ(loop->Shutdown(server), UV_EBADF);
  CHECK_EQ(loop->Close(server, CloseMode::kAbort), UV_EBADF);
  CHECK_EQ(loop->SetNoDelay(server, true), UV_EBADF);
  CHECK_EQ(loop->SetKeepAlive(server, true, 1, 1, 10), UV_EBADF);
  CHECK_EQ(loop->GetSockName(server, &address), UV_EBADF);
  CHECK_EQ(loop->GetPeerName(server, &address), UV_EBADF);
  CHECK_EQ(loop->Ref(server, false), UV_EBADF);
  CHECK_EQ(loop->QueuedBytes(server), 0u);
  CHECK_EQ(loop->ReadStart(kInvalidHandle), UV_EBADF);
  CHECK_EQ(loop->Close((123ull << 32) | 77, CloseMode::kAbort), UV_EBADF);
  // The slot is reused by the next handle with a different id; the old id
  // still reaches nothing.
  HandleId next = loop.ListenTcp("127.0.0.1", &port);
  CHECK(next != server);
  CHECK_EQ(next & 0xffffffffull, server & 0xffffffffull);
  CHECK_EQ(loop->Close(server, CloseMode::kAbort), UV_EBADF);
  CHECK_EQ(loop->GetSockName(next, &address), 0);
  loop.CloseAll({next});
  CHECK_EQ(loop.ClosedCount(server), 1);
  CHECK_EQ(loop.ClosedCount(next), 1);
}

TEST(read_stop_backpressure_then_resume) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  HandleId accepted = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  bool stopped = false;
  size_t bytes_when_stopped = 0;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      accepted = e.peer;
      seen[accepted].keep_data = false;
      CHECK_EQ(loop->ReadStart(accepted), 0);
      return;
    }
    Track(seen, e);
    if (e.handle == accepted && e.kind == EventKind::kData && !stopped && seen[accepted].bytes >= (1u << 20)) {
      stopped = true;
      bytes_when_stopped = seen[accepted].bytes;
      CHECK_EQ(loop->ReadStop(accepted), 0);
    }
  };
  HandleId client = ConnectAndAccept(loop, seen, port, accepted);
  const size_t kTotal = 48u << 20;
  std::vector<uint8_t> source(kTotal);
  for (size_t i = 0; i < kTotal; ++i) source[i] = PatternByte(i + 3);
  for (size_t off = 0, t = 0; off < kTotal; off += 1u << 20, ++t) {
    WriteSlice slice{source.data() + off, 1u << 20, true};
    CHECK_EQ(loop->Write(client, &slice, 1, t), 0);
  }
  REQUIRE(loop.RunUntil([&] { return stopped; }));
  loop.RunFor(300);
  // The reader is paused: no data is delivered and the writer stalls.
  CHECK_EQ(seen[accepted].bytes, bytes_when_stopped);
  int written = seen[client].written;
  size_t queued = loop->QueuedBytes(client);
  CHECK(written < 48);
  CHECK(queued > 0);
  loop.RunFor(200);
  CHECK_EQ(seen[client].written, written);
  CHECK_EQ(seen[accepted].bytes, bytes_when_stopped);
  CHECK(loop->HasRefedActiveHandles());  // client still writing
  CHECK_EQ(loop->ReadStart(accepted), 0);
  CHECK(loop.RunUntil([&] { return seen[accepted].bytes == kTotal && seen[client].written == 48; }, 20000));
  CHECK(seen[accepted].hash == Fnv1a(kFnvSeed, source.data(), kTotal));
  CHECK_EQ(seen[client].write_errors, 0);
  CHECK_EQ(loop->QueuedBytes(client), 0u);
  loop.CloseAll({client, accepted, server});
}

TEST(ref_unref_active_handles) {
  Loop loop;
  CHECK(!loop->HasRefedActiveHandles());
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  CHECK(loop->HasRefedActiveHandles());
  CHECK_EQ(loop->Ref(server, false), 0);
  CHECK(!loop->HasRefedActiveHandles());
  CHECK_EQ(loop->Ref(server, true), 0);
  CHECK(loop->HasRefedActiveHandles());
  CHECK_EQ(loop->Ref(server, false), 0);
  std::map<HandleId, Seen> seen;
  HandleId accepted = kInvalidHandle;
  AcceptAndTrack(loop, seen, &accepted, /*read=*/false);
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  CHECK(loop->HasRefedActiveHandles());  // connecting
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0 && accepted != kInvalidHandle; }));
  CHECK(!loop->HasRefedActiveHandles());  // connected but idle, listener unref'd
  CHECK_EQ(loop->ReadStart(accepted), 0);
  CHECK(loop->HasRefedActiveHandles());  // reading
  CHECK_EQ(loop->Ref(accepted, false), 0);
  CHECK(!loop->HasRefedActiveHandles());
  CHECK_EQ(loop->ReadStop(accepted), 0);
  CHECK_EQ(loop->Ref(accepted, true), 0);
  CHECK(!loop->HasRefedActiveHandles());
  // Requests keep the loop alive even on an unref'd handle (libuv's reqs).
  CHECK_EQ(loop->Ref(client, false), 0);
  WriteSlice slice{reinterpret_cast<const uint8_t*>("last words"), 10, false};
  CHECK_EQ(loop->Write(client, &slice, 1, 1), 0);
  CHECK(loop->HasRefedActiveHandles());  // writing
  REQUIRE(loop.RunUntil([&] { return loop.WrittenCount(1) == 1; }));
  CHECK(!loop->HasRefedActiveHandles());
  CHECK_EQ(loop->Close(client, CloseMode::kGraceful), 0);
  CHECK(loop->HasRefedActiveHandles());  // closing
  REQUIRE(loop.RunUntil([&] { return loop.IsClosed(client); }));
  CHECK(!loop->HasRefedActiveHandles());
  loop.CloseAll({accepted, server});
  CHECK(!loop->HasRefedActiveHandles());
}

TEST(abort_close_exactly_once_accounting) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  HandleId accepted = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  std::vector<EventKind> client_events;
  HandleId client = kInvalidHandle;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) accepted = e.peer;  // never reads
    if (e.handle == client) client_events.push_back(e.kind);
    Track(seen, e);
  };
  client = loop.ConnectTcp("127.0.0.1", port);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0 && accepted != kInvalidHandle; }));
  std::vector<uint8_t> chunk(256u << 10, 'a');
  const int kWrites = 200;
  for (int t = 0; t < kWrites; ++t) {
    WriteSlice slice{chunk.data(), chunk.size(), false};
    CHECK_EQ(loop->Write(client, &slice, 1, 1000 + t), 0);
  }
  WriteSlice empty{chunk.data(), 0, false};
  CHECK_EQ(loop->Write(client, &empty, 1, 5000), 0);  // zero bytes: still exactly one kWritten
  loop.RunFor(100);
  CHECK_EQ(loop->Shutdown(client), 0);
  CHECK_EQ(loop->Close(client, CloseMode::kAbort), 0);
  CHECK_EQ(loop->Close(client, CloseMode::kAbort), 0);  // repeated close: no second kClosed
  REQUIRE(loop.RunUntil([&] { return loop.IsClosed(client); }));
  loop.RunFor(50);
  int ok = 0, cancelled = 0;
  for (int t = 0; t < kWrites; ++t) {
    CHECK_EQ(loop.WrittenCount(1000 + t), 1);
    int status = loop.WrittenStatus(1000 + t);
    if (status == 0) ++ok;
    if (status == UV_ECANCELED) ++cancelled;
  }
  CHECK_EQ(loop.WrittenCount(5000), 1);
  CHECK_EQ(ok + cancelled, kWrites);
  CHECK(cancelled > 0);
  CHECK_EQ(seen[client].shutdown_status, UV_ECANCELED);
  CHECK_EQ(loop.ClosedCount(client), 1);
  REQUIRE(!client_events.empty());
  CHECK(client_events.back() == EventKind::kClosed);
  loop.CloseAll({accepted, server});
}

TEST(writes_queued_while_connecting) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  EchoServer echo(loop);
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) {
    if (!echo.Handle(e)) Track(seen, e);
  };
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  WriteSlice slice{reinterpret_cast<const uint8_t*>("early"), 5, false};
  CHECK_EQ(loop->Write(client, &slice, 1, 1), 0);
  CHECK_EQ(loop->ReadStart(client), 0);
  CHECK(loop.RunUntil([&] { return seen[client].data == "early"; }));
  CHECK_EQ(loop.WrittenStatus(1), 0);
  std::vector<HandleId> all(echo.peers.begin(), echo.peers.end());
  all.push_back(client);
  all.push_back(server);
  loop.CloseAll(all);
}

TEST(server_reset_close) {
  // The server resets once the client is surely connected (its first byte
  // arrived): a reset that beats the connect's completion is reported as the
  // connect's error, as libuv does.
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  HandleId accepted = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      accepted = e.peer;
      CHECK_EQ(loop->SetNoDelay(accepted, true), 0);
      // Wine difference 5: Wine refuses TCP_KEEPALIVE (WSAENOPROTOOPT, which
      // libuv reports as UNKNOWN; node.exe gets the same there and ignores it).
      CHECK_EQ(loop->SetKeepAlive(accepted, true, 30, 1, 10), UnderWine() ? UV_UNKNOWN : 0);
      CHECK_EQ(loop->ReadStart(accepted), 0);
    }
    if (e.kind == EventKind::kData && e.handle == accepted) CHECK_EQ(loop->Close(accepted, CloseMode::kReset), 0);
    Track(seen, e);
  };
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0; }));
  CHECK_EQ(loop->ReadStart(client), 0);
  uint8_t byte = 'r';
  WriteSlice slice{&byte, 1, false};
  CHECK_EQ(loop->Write(client, &slice, 1, 1), 0);
  CHECK(loop.RunUntil([&] { return seen[client].read_error != 0 || seen[client].end; }));
  CHECK_EQ(seen[client].read_error, UV_ECONNRESET);
  loop.CloseAll({client, server});
  CHECK_EQ(loop.ClosedCount(accepted), 1);
}

TEST(close_inside_data_callback_and_pipelined_reads) {
  // The sink closes a handle from inside kData while more bytes are already
  // queued for it: nothing may be delivered after Close, kClosed comes last.
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  HandleId accepted = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  bool closed_in_callback = false;
  size_t data_events_after_close = 0;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      accepted = e.peer;
      return;
    }
    Track(seen, e);
    if (e.handle == accepted && e.kind == EventKind::kData) {
      if (closed_in_callback) ++data_events_after_close;
      if (!closed_in_callback) {
        closed_in_callback = true;
        CHECK_EQ(loop->Close(accepted, CloseMode::kAbort), 0);
      }
    }
  };
  HandleId client = ConnectAndAccept(loop, seen, port, accepted);
  std::vector<uint8_t> bytes(4u << 20, 'q');
  WriteSlice slice{bytes.data(), bytes.size(), true};
  CHECK_EQ(loop->Write(client, &slice, 1, 1), 0);
  loop.RunFor(50);  // bytes pile up in the server's socket before it reads
  CHECK_EQ(loop->ReadStart(accepted), 0);
  CHECK(loop.RunUntil([&] { return loop.IsClosed(accepted); }));
  CHECK(closed_in_callback);
  CHECK_EQ(data_events_after_close, 0u);
  loop.CloseAll({client, server});
}

TEST(backend_destroyed_with_operations_in_flight) {
  // Tearing the backend down with accepts, recvs and sends in the kernel must
  // not leak or touch freed memory (checked under ASan).
  std::vector<uint8_t> bytes(8u << 20, 'd');
  {
    Loop loop;
    uint16_t port = 0;
    HandleId server = loop.ListenTcp("127.0.0.1", &port);
    (void)server;
    HandleId accepted = kInvalidHandle;
    std::map<HandleId, Seen> seen;
    loop.on_event = [&](const Event& e) {
      if (e.kind == EventKind::kConnection) accepted = e.peer;
      Track(seen, e);
    };
    HandleId client = loop.ConnectTcp("127.0.0.1", port);
    REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0 && accepted != kInvalidHandle; }));
    CHECK_EQ(loop->ReadStart(client), 0);
    WriteSlice slices[2] = {{bytes.data(), bytes.size(), false}, {bytes.data(), bytes.size(), true}};
    CHECK_EQ(loop->Write(client, slices, 2, 1), 0);
    loop.RunFor(30);
  }
  CHECK(true);
}

TEST(graceful_close_with_unread_input_still_delivers) {
  // The server has unread input when it closes gracefully, and its last
  // bytes are still in its send queue (the client is not reading): close()
  // must not turn into RST and drop them.
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  HandleId accepted = kInvalidHandle;
  std::map<HandleId, Seen> seen;
  const size_t kTotal = 1u << 20;
  std::vector<uint8_t> source(kTotal);
  for (size_t i = 0; i < kTotal; ++i) source[i] = PatternByte(i + 11);
  AcceptAndTrack(loop, seen, &accepted, /*read=*/false);
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  seen[client].keep_data = false;
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0 && accepted != kInvalidHandle; }));
  std::vector<uint8_t> noise(64u << 10, 'n');
  WriteSlice noise_slice{noise.data(), noise.size(), true};
  CHECK_EQ(loop->Write(client, &noise_slice, 1, 2), 0);  // never read by the server
  WriteSlice slice{source.data(), source.size(), true};
  CHECK_EQ(loop->Write(accepted, &slice, 1, 1), 0);
  REQUIRE(loop.RunUntil([&] { return loop.WrittenCount(1) == 1 && loop.WrittenCount(2) == 1; }));
  CHECK_EQ(loop->Close(accepted, CloseMode::kGraceful), 0);
  REQUIRE(loop.RunUntil([&] { return loop.IsClosed(accepted); }));
  loop.RunFor(50);
  CHECK_EQ(loop->ReadStart(client), 0);
  CHECK(loop.RunUntil([&] { return seen[client].end || seen[client].read_error != 0; }, 20000));
  CHECK_EQ(seen[client].read_error, 0);
  CHECK_EQ(seen[client].bytes, kTotal);
  CHECK(seen[client].hash == Fnv1a(kFnvSeed, source.data(), kTotal));
  CHECK_EQ(loop.WrittenStatus(1), 0);
  loop.CloseAll({client, server});
}

TEST(socket_options_and_names) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  std::map<HandleId, Seen> seen;
  HandleId accepted = kInvalidHandle;
  AcceptAndTrack(loop, seen, &accepted, /*read=*/false);
  SocketAddress local = Ip("127.0.0.1", 0);
  HandleId client = kInvalidHandle;
  REQUIRE(loop->Connect(Ip("127.0.0.1", port), &local, &client) == 0);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0 && accepted != kInvalidHandle; }));
  SocketAddress a, b;
  CHECK_EQ(loop->GetSockName(client, &a), 0);
  CHECK_EQ(loop->GetPeerName(accepted, &b), 0);
  CHECK(a.ip() == "127.0.0.1");
  CHECK_EQ(a.port(), b.port());
  CHECK_EQ(loop->GetPeerName(client, &b), 0);
  CHECK_EQ(b.port(), port);
  CHECK_EQ(loop->GetPeerName(server, &b), UV_ENOTCONN);  // a listener has no peer
  CHECK_EQ(loop->SetNoDelay(client, true), 0);
  CHECK_EQ(loop->SetNoDelay(client, false), 0);
  // Unix sockets accept and ignore TCP options.
  std::string path = TempSocketPath("opts");
  RemovePipePath(path);
  HandleId unix_server = kInvalidHandle;
  REQUIRE(loop->Listen(Path(path), ListenOptions(), &unix_server) == 0);
  CHECK_EQ(loop->SetNoDelay(unix_server, true), 0);
  CHECK_EQ(loop->GetSockName(unix_server, &a), 0);
  CHECK(a.IsUnix());
  CHECK(a.path() == path);
  // Reading or writing a listener is refused.
  CHECK_EQ(loop->ReadStart(server), UV_ENOTCONN);
  WriteSlice slice{reinterpret_cast<const uint8_t*>("x"), 1, false};
  CHECK_EQ(loop->Write(server, &slice, 1, 1), UV_ENOTCONN);
  CHECK_EQ(loop->Shutdown(server), UV_ENOTCONN);
  loop.CloseAll({client, accepted, server, unix_server});
}

TEST(close_while_connecting_cancels_connect) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  std::map<HandleId, Seen> seen;
  std::vector<EventKind> events;
  HandleId client = kInvalidHandle;
  std::set<HandleId> accepted;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) accepted.insert(e.peer);
    if (e.handle == client) events.push_back(e.kind);
    Track(seen, e);
  };
  client = loop.ConnectTcp("127.0.0.1", port);
  WriteSlice slice{reinterpret_cast<const uint8_t*>("never"), 5, false};
  CHECK_EQ(loop->Write(client, &slice, 1, 7), 0);
  CHECK_EQ(loop->Shutdown(client), 0);
  CHECK_EQ(loop->Close(client, CloseMode::kGraceful), 0);
  REQUIRE(loop.RunUntil([&] { return loop.IsClosed(client); }));
  CHECK_EQ(seen[client].connect_status, UV_ECANCELED);
  CHECK_EQ(loop.WrittenStatus(7), UV_ECANCELED);
  CHECK_EQ(seen[client].shutdown_status, UV_ECANCELED);
  REQUIRE(events.size() == 4u);
  CHECK(events[0] == EventKind::kConnect);
  CHECK(events[3] == EventKind::kClosed);
  loop.RunFor(20);
  std::vector<HandleId> all(accepted.begin(), accepted.end());
  all.push_back(server);
  loop.CloseAll(all);
}

#ifndef _WIN32
// POSIX's descriptor limit (RLIMIT_NOFILE); Windows has none for sockets.

/** CPU time this process has used, in ms. */
static double CpuMs() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

TEST(accept_out_of_file_descriptors_sheds_backlog) {
  // At the fd limit the listener must not spin on EMFILE nor leave clients
  // hanging: pending connections are accepted and closed (libuv's trick).
  Loop loop;
  std::vector<HandleId> accepted;
  int accept_errors = 0;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      if (e.status == 0) accepted.push_back(e.peer);
      else ++accept_errors;
    }
  };
  const int kClients = 5;
  int raw[kClients];
  for (int& fd : raw) fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  rlimit saved;
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  // Room for the listener and exactly one accepted connection: new fds take
  // the lowest free numbers, so the limit goes right after the 2nd free one.
  // (io_uring reads the limit when the accept is posted: listen after this.)
  int free_seen = 0;
  int limit = 0;
  while (free_seen < 2) {
    if (fcntl(limit, F_GETFD) < 0) ++free_seen;
    ++limit;
  }
  rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(limit);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &tight) == 0);
  uint16_t port = 0;
  HandleId server = kInvalidHandle;
  try {
    server = loop.ListenTcp("127.0.0.1", &port);
  } catch (...) {
    setrlimit(RLIMIT_NOFILE, &saved);
    throw;
  }
  SocketAddress target = Ip("127.0.0.1", port);
  for (int fd : raw) connect(fd, target.raw(), target.length());
  loop.RunFor(300);
  // Still at the limit, nothing pending: the listener must sleep. (io_uring's
  // accept fails at once when the table is full; re-posting it spun a core.)
  // Measured: the spin cost 73 ms of CPU in these 300 ms on a loaded
  // machine, the idle loop under 1 ms: a 20 ms bound.
  double cpu_before = CpuMs();
  loop.RunFor(300);
  double spent = CpuMs() - cpu_before;
  setrlimit(RLIMIT_NOFILE, &saved);
  CHECK(spent < 20);
  CHECK_EQ(accepted.size(), 1u);
  CHECK_EQ(accept_errors, 0);
  // The shed clients see their connection end (EOF or reset), not a hang.
  int ended = 0;
  for (int fd : raw) {
    char byte;
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 200) == 1 && recv(fd, &byte, 1, MSG_DONTWAIT) <= 0) ++ended;
  }
  CHECK_EQ(ended, kClients - 1);
  for (int fd : raw) close(fd);
  std::vector<HandleId> all = accepted;
  all.push_back(server);
  loop.CloseAll(all);
}
#endif

// The idle reaper (rule 13): SetIdleTimeout on a listener reaches every
// connection it accepts, and each gets one kIdle once nothing was received
// or sent for that long, without a timer per connection.
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "test/harness.h"
#include "test/loop.h"
#include "test/seen.h"

using namespace iocpnet;
using namespace iocpnet::test;

namespace {

using Clock = std::chrono::steady_clock;

SocketAddress Loopback(uint16_t port) {
  SocketAddress address;
  SocketAddress::FromIp("127.0.0.1", port, &address);
  return address;
}

int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

void Send(Loop& loop, HandleId id, uint64_t token) {
  WriteSlice slice{reinterpret_cast<const uint8_t*>("p"), 1, false};
  CHECK_EQ(loop->Write(id, &slice, 1, token), 0);
}

}  // namespace

TEST(idle_reaper_reports_only_silent_connections) {
  constexpr uint32_t kTimeoutMs = 300;
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  CHECK_EQ(loop->SetIdleTimeout(server, kTimeoutMs), 0);

  std::vector<HandleId> accepted;
  std::map<HandleId, std::vector<int64_t>> idle_at;  // ms after start
  std::map<HandleId, Seen> seen;
  Clock::time_point start = Clock::now();
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      accepted.push_back(e.peer);
      CHECK_EQ(loop->ReadStart(e.peer), 0);
    }
    if (e.kind == EventKind::kIdle) idle_at[e.handle].push_back(MsSince(start));
    Track(seen, e);
  };
  // chatty sends to the server, silent sends nothing, fed only receives.
  HandleId chatty = kInvalidHandle, silent = kInvalidHandle, fed = kInvalidHandle;
  REQUIRE(loop->Connect(Loopback(port), nullptr, &chatty) == 0);
  REQUIRE(loop.RunUntil([&] { return accepted.size() == 1; }));
  HandleId chatty_peer = accepted[0];
  REQUIRE(loop->Connect(Loopback(port), nullptr, &silent) == 0);
  REQUIRE(loop.RunUntil([&] { return accepted.size() == 2; }));
  HandleId silent_peer = accepted[1];
  REQUIRE(loop->Connect(Loopback(port), nullptr, &fed) == 0);
  REQUIRE(loop.RunUntil([&] { return accepted.size() == 3; }));
  HandleId fed_peer = accepted[2];
  CHECK_EQ(loop->ReadStart(fed), 0);
  start = Clock::now();

  // For 4 timeouts: chatty writes and the server writes to fed, every 50 ms.
  uint64_t token = 1;
  while (MsSince(start) < 4 * static_cast<int64_t>(kTimeoutMs)) {
    Send(loop, chatty, token++);
    Send(loop, fed_peer, token++);
    loop.RunFor(50);
  }
  CHECK(idle_at[chatty_peer].empty());
  CHECK(idle_at[fed_peer].empty());
  // The silent one: once, never before its timeout, and not again while it
  // stays silent (a lost wake-up would show as none at all).
  REQUIRE(idle_at[silent_peer].size() == 1);
  CHECK(idle_at[silent_peer][0] >= static_cast<int64_t>(kTimeoutMs) - 50);  // counted from its accept
  // Clients have no timeout of their own.
  CHECK(idle_at[silent].empty());

  // A byte starts a new idle period, and a new kIdle after it.
  Send(loop, silent, token++);
  Clock::time_point sent = Clock::now();
  REQUIRE(loop.RunUntil([&] { return idle_at[silent_peer].size() == 2; }, 5000));
  CHECK(MsSince(sent) >= static_cast<int64_t>(kTimeoutMs));
  // Both sides go quiet: chatty's and fed's accepted connections are reaped too.
  REQUIRE(loop.RunUntil([&] { return idle_at[chatty_peer].size() == 1 && idle_at[fed_peer].size() == 1; }, 5000));
  // Off again: no more.
  CHECK_EQ(loop->SetIdleTimeout(chatty_peer, 0), 0);
  Send(loop, chatty, token++);
  loop.RunFor(2 * kTimeoutMs);
  CHECK_EQ(idle_at[chatty_peer].size(), 1u);
  loop.CloseAll({chatty, silent, fed, chatty_peer, silent_peer, fed_peer, server});
  CHECK_EQ(loop->SetIdleTimeout(server, 10), UV_EBADF);
}

TEST(idle_reaper_a_stream_of_its_own_and_a_closing_one) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  HandleId peer = kInvalidHandle;
  std::map<HandleId, int> idles;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) peer = e.peer;
    if (e.kind == EventKind::kIdle) ++idles[e.handle];
  };
  HandleId client = kInvalidHandle;
  REQUIRE(loop->Connect(Loopback(port), nullptr, &client) == 0);
  REQUIRE(loop.RunUntil([&] { return peer != kInvalidHandle; }));
  CHECK_EQ(loop->SetIdleTimeout(client, 100), 0);
  CHECK_EQ(loop->SetIdleTimeout(peer, 100), 0);
  CHECK_EQ(loop->Close(peer, CloseMode::kGraceful), 0);  // a closing handle is never reported
  REQUIRE(loop.RunUntil([&] { return idles[client] == 1; }, 5000));
  loop.RunFor(300);
  CHECK_EQ(idles[peer], 0);
  CHECK_EQ(idles[client], 1);
  loop.CloseAll({client, server});
}

// Many idle connections, one timeout: all reported, none early, none lost.
TEST(idle_reaper_thousands_of_connections) {
  constexpr int kCount = 2000;
  constexpr uint32_t kTimeoutMs = 200;
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  CHECK_EQ(loop->SetIdleTimeout(server, kTimeoutMs), 0);
  std::set<HandleId> peers;
  std::map<HandleId, Clock::time_point> accepted_at;
  std::set<HandleId> idle;
  int early = 0;
  std::map<HandleId, Seen> seen;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection && e.status == 0) {
      peers.insert(e.peer);
      // The engine's idle period began while this Drain ran (its accept);
      // a long Drain (a loaded machine, Wine's wineserver round trips)
      // must not look like an early kIdle.
      accepted_at[e.peer] = loop.drain_started();
    }
    if (e.kind == EventKind::kIdle) {
      if (!idle.insert(e.handle).second) ++early;  // twice without a byte between
      if (MsSince(accepted_at[e.handle]) < static_cast<int64_t>(kTimeoutMs) - 20) ++early;
    }
    Track(seen, e);
  };
  std::vector<HandleId> clients;
  for (int i = 0; i < kCount; ++i) {
    HandleId client = kInvalidHandle;
    REQUIRE(loop->Connect(Loopback(port), nullptr, &client) == 0);
    clients.push_back(client);
    if (i % 200 == 199) loop.RunFor(1);
  }
  // Under Wine every accept goes through the wineserver: on a loaded machine
  // the backlog overflows and SYN retransmits (1 s, 3 s, 7 s) stretch the run.
  REQUIRE(loop.RunUntil([&] { return idle.size() == static_cast<size_t>(kCount); }, UnderWine() ? 60000 : 20000));
  CHECK_EQ(peers.size(), static_cast<size_t>(kCount));
  CHECK_EQ(early, 0);
  std::vector<HandleId> all(clients.begin(), clients.end());
  all.insert(all.end(), peers.begin(), peers.end());
  all.push_back(server);
  loop.CloseAll(all);
}

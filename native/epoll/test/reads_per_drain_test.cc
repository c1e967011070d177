// epoll reads a connection at most twice per Drain, the second time only
// when the first read filled its buffer (kReadsPerDrain in
// backend_epoll.cc says why two and not more).
#include <chrono>
#include <map>
#include <vector>

#include "test/harness.h"
#include "test/loop.h"
#include "test/seen.h"

using namespace iocpnet;
using namespace iocpnet::test;

BACKEND_TEST(epoll, a_full_read_is_followed_by_one_more_in_the_same_drain) {
  OneConnection one(/*read=*/true);
  Loop& loop = one.loop;
  std::map<HandleId, Seen>& seen = one.seen;
  const HandleId server = one.server, accepted = one.accepted, client = one.client;
  seen[accepted].keep_data = false;

  // The sizes of the accepted connection's kData events, per Drain.
  std::map<std::chrono::steady_clock::time_point, std::vector<size_t>> chunks_per_drain;
  auto track = loop.on_event;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kData && e.handle == accepted) chunks_per_drain[loop.drain_started()].push_back(e.size);
    track(e);
  };
  const size_t kTotal = 8u << 20;
  std::vector<uint8_t> source(kTotal);
  for (size_t i = 0; i < kTotal; ++i) source[i] = PatternByte(i);
  WriteSlice slice{source.data(), kTotal, false};
  CHECK_EQ(loop->Write(client, &slice, 1, 1), 0);
  REQUIRE(loop.RunUntil([&] { return seen[accepted].bytes == kTotal; }));
  CHECK(seen[accepted].hash == Fnv1a(kFnvSeed, source.data(), kTotal));

  // A short read may be followed by another too, when a new edge came in
  // the same Drain; never more than two.
  size_t full_then_more = 0;
  for (const auto& drain : chunks_per_drain) {
    const std::vector<size_t>& sizes = drain.second;
    CHECK(sizes.size() <= 2u);
    if (sizes.size() == 2 && sizes[0] == Loop::kLentSize) ++full_then_more;
  }
  CHECK(full_then_more > 0u);
  loop.CloseAll({client, accepted, server});
}

// A connection paused by its first chunk's event gets no second read.
BACKEND_TEST(epoll, no_second_read_after_a_pause) {
  OneConnection one(/*read=*/false);
  Loop& loop = one.loop;
  const HandleId server = one.server, accepted = one.accepted, client = one.client;
  const size_t kTotal = 1u << 20;
  std::vector<uint8_t> source(kTotal);
  for (size_t i = 0; i < kTotal; ++i) source[i] = PatternByte(i);
  WriteSlice slice{source.data(), kTotal, false};
  CHECK_EQ(loop->Write(client, &slice, 1, 1), 0);
  loop.RunFor(200);  // the accepted socket's kernel buffer fills

  auto track = loop.on_event;
  int chunks = 0;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kData && e.handle == accepted) {
      ++chunks;
      CHECK_EQ(e.size, Loop::kLentSize);  // a full read: a second would follow
      CHECK_EQ(loop->ReadStop(accepted), 0);
    }
    track(e);
  };
  CHECK_EQ(loop->ReadStart(accepted), 0);
  REQUIRE(loop.RunUntil([&] { return chunks > 0; }));
  loop.RunFor(200);
  CHECK_EQ(chunks, 1);
  loop.CloseAll({client, accepted, server});
}

// Receive-path integrity: every byte arrives, once, in order, before kEnd,
// whatever the buffer ring and the pause pattern.
//
// 50 clients each send a self-identifying stream (8-byte connection index,
// then bytes that depend on index and offset) in large writes, then
// half-close. The server checks every byte and echoes it; on kEnd it
// half-closes after the echo; each client checks every echoed byte and that
// kEnd comes after the last one. Both sides pause (ReadStop) right after
// random kData events, i.e. while more bytes are in flight, and resume in an
// order picked by a seeded PRNG, sometimes within the same callback.
// Run here with 64 KiB and 4 KiB reads on every backend; backends run it at
// the limits of their own mechanism too (native/uring/test/).
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "test/harness.h"
#include "test/integrity.h"
#include "test/loop.h"

using namespace iocpnet;
using namespace iocpnet::test;

namespace iocpnet {
namespace test {
namespace {

constexpr int kConnections = 50;
constexpr size_t kHeader = 8;
constexpr size_t kPayload = 160 * 1024;
constexpr size_t kStreamBytes = kHeader + kPayload;

// xorshift64*: deterministic, so a failure replays exactly.
struct Prng {
  uint64_t state;
  uint64_t Next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ull;
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
};

// Byte `offset` of connection `index`'s stream (header included).
uint8_t StreamByte(uint32_t index, uint64_t offset) {
  if (offset < kHeader) return static_cast<uint8_t>(static_cast<uint64_t>(index) >> (8 * offset));
  uint64_t x = (offset - kHeader) * 0x9E3779B97F4A7C15ull + (static_cast<uint64_t>(index) + 1) * 0xD1B54A32D192ED03ull;
  x ^= x >> 29;
  return static_cast<uint8_t>(x >> 17);
}

// One side of one connection, checked byte by byte.
struct Stream {
  bool client = false;
  int32_t index = -1;        // known at once (client) or from the header (server)
  uint8_t header[kHeader] = {};
  uint64_t received = 0;
  uint64_t first_bad = UINT64_MAX;  // offset of the first wrong byte
  bool end = false;
  bool data_after_end = false;
  int read_error = 0;
  bool paused = false;
  bool shut = false;
  int write_failures = 0;
};

}  // namespace

void RunIntegrity(const char* label, const BackendOptions& options, uint64_t seed) {
  Loop loop(options);
  Prng prng{seed};
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  std::map<HandleId, Stream> streams;
  std::vector<HandleId> handles;
  std::vector<HandleId> paused;
  std::vector<uint8_t> outgoing(kStreamBytes);
  uint64_t token = 0;

  auto pause = [&](HandleId id) {
    Stream& s = streams[id];
    if (s.paused || s.end) return;
    CHECK_EQ(loop->ReadStop(id), 0);
    s.paused = true;
    paused.push_back(id);
  };
  auto resume_some = [&](uint32_t max) {
    for (uint32_t n = prng.Below(max + 1); n > 0 && !paused.empty(); --n) {
      size_t at = prng.Below(static_cast<uint32_t>(paused.size()));
      HandleId id = paused[at];
      paused[at] = paused.back();
      paused.pop_back();
      streams[id].paused = false;
      CHECK_EQ(loop->ReadStart(id), 0);
    }
  };
  auto write_copy = [&](HandleId id, const uint8_t* data, size_t size) {
    WriteSlice slice{data, size, false};
    CHECK_EQ(loop->Write(id, &slice, 1, ++token), 0);
  };

  loop.on_event = [&](const Event& e) {
    switch (e.kind) {
      case EventKind::kConnection: {
        REQUIRE(e.status == 0);
        handles.push_back(e.peer);
        streams[e.peer].client = false;
        CHECK_EQ(loop->ReadStart(e.peer), 0);
        break;
      }
      case EventKind::kConnect: {
        CHECK_EQ(e.status, 0);
        Stream& s = streams[e.handle];
        CHECK_EQ(loop->ReadStart(e.handle), 0);
        for (uint64_t i = 0; i < kStreamBytes; ++i) outgoing[i] = StreamByte(static_cast<uint32_t>(s.index), i);
        // Large writes of random sizes (copied, so `outgoing` is reused).
        size_t sent = 0;
        while (sent < kStreamBytes) {
          size_t n = 1 + prng.Below(64 * 1024);
          if (n > kStreamBytes - sent) n = kStreamBytes - sent;
          write_copy(e.handle, outgoing.data() + sent, n);
          sent += n;
        }
        CHECK_EQ(loop->Shutdown(e.handle), 0);
        s.shut = true;
        break;
      }
      case EventKind::kData: {
        Stream& s = streams[e.handle];
        if (s.end) s.data_after_end = true;
        if (s.paused) CHECK(!"kData while reading is stopped");
        for (uint32_t i = 0; i < e.size; ++i) {
          uint64_t offset = s.received + i;
          if (offset < kHeader && !s.client) {
            s.header[offset] = e.data[i];
            if (offset == kHeader - 1) {
              uint64_t index = 0;
              for (size_t b = 0; b < kHeader; ++b) index |= static_cast<uint64_t>(s.header[b]) << (8 * b);
              if (index < kConnections) s.index = static_cast<int32_t>(index);
              else if (s.first_bad == UINT64_MAX) s.first_bad = offset;
            }
            continue;
          }
          bool ok = offset < kStreamBytes && s.index >= 0 &&
                    e.data[i] == StreamByte(static_cast<uint32_t>(s.index), offset);
          if (!ok && s.first_bad == UINT64_MAX) s.first_bad = offset;
        }
        s.received += e.size;
        if (!s.client) write_copy(e.handle, e.data, e.size);  // echo
        // Pause while more bytes are in flight; sometimes resume at once.
        uint32_t roll = prng.Below(8);
        if (roll < 3) pause(e.handle);
        if (roll == 0) resume_some(1);
        resume_some(1);
        break;
      }
      case EventKind::kEnd: {
        Stream& s = streams[e.handle];
        if (s.paused) CHECK(!"kEnd while reading is stopped");
        s.end = true;
        if (!s.client && !s.shut) {
          CHECK_EQ(loop->Shutdown(e.handle), 0);  // after the echo writes
          s.shut = true;
        }
        break;
      }
      case EventKind::kReadError: streams[e.handle].read_error = e.status; break;
      case EventKind::kWritten:
        if (e.status != 0) ++streams[e.handle].write_failures;
        break;
      default: break;
    }
  };

  for (int i = 0; i < kConnections; ++i) {
    HandleId id = loop.ConnectTcp("127.0.0.1", port);
    handles.push_back(id);
    streams[id].client = true;
    streams[id].index = i;
  }
  std::vector<HandleId> all_streams;
  bool finished = loop.RunUntil([&] {
    // Between Drains, as JS does: pause a few streams, resume a few (this is
    // also what gets paused streams going when all traffic stopped).
    all_streams.clear();
    for (auto& entry : streams) all_streams.push_back(entry.first);
    for (uint32_t n = prng.Below(3); n > 0 && !all_streams.empty(); --n) {
      pause(all_streams[prng.Below(static_cast<uint32_t>(all_streams.size()))]);
    }
    resume_some(4);
    size_t ended = 0;
    for (auto& entry : streams) ended += entry.second.end ? 1 : 0;
    return ended == 2 * static_cast<size_t>(kConnections);
  }, 20000);
  CHECK(finished);

  size_t bad = 0;
  for (auto& entry : streams) {
    const Stream& s = entry.second;
    bool good = s.end && !s.data_after_end && s.read_error == 0 && s.received == kStreamBytes &&
                s.first_bad == UINT64_MAX && s.write_failures == 0;
    if (!good) {
      if (++bad <= 5) {
        std::printf("    [%s] %s #%d: received %llu/%zu, first bad byte %lld, end %d, data after end %d, "
                    "read error %d, write failures %d\n",
                    label, s.client ? "client" : "server", s.index,
                    static_cast<unsigned long long>(s.received), kStreamBytes,
                    s.first_bad == UINT64_MAX ? -1LL : static_cast<long long>(s.first_bad), s.end,
                    s.data_after_end, s.read_error, s.write_failures);
      }
    }
  }
  uint64_t total = 0;
  for (auto& entry : streams) total += entry.second.received;
  std::printf("    [%s] %llu bytes checked\n", label, static_cast<unsigned long long>(total));
  CHECK_EQ(streams.size(), 2 * static_cast<size_t>(kConnections));
  CHECK_EQ(bad, static_cast<size_t>(0));
  handles.push_back(server);
  loop.CloseAll(handles);
}

}  // namespace test
}  // namespace iocpnet

TEST(integrity_pause_resume) { RunIntegrity("64KiB reads", SmallOptions(), 0x1234567u); }

TEST(integrity_small_reads_pause_resume) {
  BackendOptions options = SmallOptions();
  options.read_buffer_size = 4096;
  RunIntegrity("4KiB reads", options, 0x9abcdefu);
}

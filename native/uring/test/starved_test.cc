// Rule 14 on io_uring's provided-buffer ring: receives that find it empty
// (ENOBUFS) wait in line and are posted again as buffers come back.
#include <map>
#include <vector>

#include "test/harness.h"
#include "test/loop.h"
#include "test/seen.h"

using namespace iocpnet;
using namespace iocpnet::test;

BACKEND_TEST(uring, starved_recvs_rearmed_with_tiny_buffer_ring) {
  // Rule 14: 2 ring buffers shared by 40 busy connections. Recvs that find no
  // buffer (ENOBUFS) must be re-armed as buffers come back; every byte arrives.
  BackendOptions options = SmallOptions();
  options.uring.recv_buffer_count = 2;
  options.read_buffer_size = 4096;
  Loop loop(options);
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  const int kClients = 40;
  const size_t kPerClient = 256u << 10;
  std::vector<uint8_t> payload(kPerClient);
  for (size_t i = 0; i < kPerClient; ++i) payload[i] = PatternByte(i);
  std::map<HandleId, Seen> seen;
  std::vector<HandleId> accepted;
  std::vector<HandleId> clients;
  size_t total = 0;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      accepted.push_back(e.peer);
      seen[e.peer].keep_data = false;
      CHECK_EQ(loop->ReadStart(e.peer), 0);
      return;
    }
    Track(seen, e);
    if (e.kind == EventKind::kData) total += e.size;
    if (e.kind == EventKind::kConnect) {
      CHECK_EQ(e.status, 0);
      WriteSlice slice{payload.data(), payload.size(), true};
      CHECK_EQ(loop->Write(e.handle, &slice, 1, e.handle), 0);
      CHECK_EQ(loop->Shutdown(e.handle), 0);
    }
  };
  for (int i = 0; i < kClients; ++i) clients.push_back(loop.ConnectTcp("127.0.0.1", port));
  CHECK(loop.RunUntil([&] {
    if (accepted.size() != static_cast<size_t>(kClients)) return false;
    for (HandleId a : accepted)
      if (!seen[a].end) return false;
    return true;
  }, 30000));
  CHECK_EQ(total, kPerClient * kClients);
  for (HandleId a : accepted) {
    CHECK_EQ(seen[a].bytes, kPerClient);
    CHECK(seen[a].hash == Fnv1a(kFnvSeed, payload.data(), kPerClient));
  }
  std::vector<HandleId> all = accepted;
  all.insert(all.end(), clients.begin(), clients.end());
  all.push_back(server);
  loop.CloseAll(all);
}

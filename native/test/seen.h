// Seen: what a test saw on one handle, filled by Track() from its events;
// and the fixtures most stream tests start from (one accepted connection).
#pragma once

#include <map>
#include <string>

#include "backend.h"
#include "test/harness.h"
#include "test/loop.h"

namespace iocpnet {
namespace test {

// What a test saw on one handle.
struct Seen {
  int connect_status = 1;  // 1 = no kConnect yet
  std::string data;
  size_t bytes = 0;
  uint64_t hash = kFnvSeed;
  bool end = false;
  int read_error = 0;
  int shutdown_status = 1;
  int written = 0;
  int write_errors = 0;
  bool closed = false;
  bool keep_data = true;
};

inline void Track(std::map<HandleId, Seen>& seen, const Event& e) {
  Seen& s = seen[e.handle];
  switch (e.kind) {
    case EventKind::kConnect: s.connect_status = e.status; break;
    case EventKind::kData:
      if (s.end) Fail(__FILE__, __LINE__, "kData after kEnd");
      if (s.keep_data) s.data.append(reinterpret_cast<const char*>(e.data), e.size);
      s.bytes += e.size;
      s.hash = Fnv1a(s.hash, e.data, e.size);
      break;
    case EventKind::kEnd: s.end = true; break;
    case EventKind::kReadError: s.read_error = e.status; break;
    case EventKind::kShutdown: s.shutdown_status = e.status; break;
    case EventKind::kWritten:
      ++s.written;
      if (e.status != 0) ++s.write_errors;
      break;
    case EventKind::kClosed: s.closed = true; break;
    default: break;
  }
}

// The on_event most tests start from: the accepted connection is remembered
// in *accepted (and starts reading when `read`); every other event is tracked.
inline void AcceptAndTrack(Loop& loop, std::map<HandleId, Seen>& seen, HandleId* accepted, bool read) {
  loop.on_event = [&loop, &seen, accepted, read](const Event& e) {
    if (e.kind == EventKind::kConnection) {
      *accepted = e.peer;
      if (read) CHECK_EQ(loop->ReadStart(*accepted), 0);
      return;
    }
    Track(seen, e);
  };
}

// Connects a client to `port` and waits until it is connected and accepted
// (`accepted` is the one AcceptAndTrack fills).
inline HandleId ConnectAndAccept(Loop& loop, std::map<HandleId, Seen>& seen, uint16_t port, const HandleId& accepted) {
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  REQUIRE(loop.RunUntil([&] { return seen[client].connect_status == 0 && accepted != kInvalidHandle; }));
  return client;
}

// A loop with a listener and one client connected to it, the accepted peer
// tracked in `seen` (reading or not).
struct OneConnection {
  explicit OneConnection(bool read, const BackendOptions& options = SmallOptions()) : loop(options) {
    uint16_t port = 0;
    server = loop.ListenTcp("127.0.0.1", &port);
    AcceptAndTrack(loop, seen, &accepted, read);  // keeps &accepted: a member, as long-lived as the loop
    client = ConnectAndAccept(loop, seen, port, accepted);
  }
  Loop loop;
  std::map<HandleId, Seen> seen;
  HandleId server = kInvalidHandle;
  HandleId accepted = kInvalidHandle;
  HandleId client = kInvalidHandle;
};

}  // namespace test
}  // namespace iocpnet

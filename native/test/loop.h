// Test fixture: a Backend plus an event loop made of poll(2) on PollFd()
// (or, for IOCP, an event its wake callback sets), Drain() and Flush(), like
// the Node bridge does it. It also checks the
// contract's accounting for every handle: exactly one kClosed, nothing after
// it, at most one kWritten per token.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "backend.h"
#include "errors.h"
#include "test/harness.h"

namespace iocpnet {
namespace test {

BackendOptions SmallOptions();

class Loop : public EventSink {
 public:
  explicit Loop(const BackendOptions& options = SmallOptions());
  ~Loop() override;

  Backend& backend() { return *backend_; }
  Backend* operator->() { return backend_.get(); }

  // Handler for every event (after the fixture's own bookkeeping).
  std::function<void(const Event&)> on_event;

  // Runs the loop until `done` returns true or `timeout_ms` passes. Returns done().
  bool RunUntil(const std::function<bool()>& done, int timeout_ms = 10000);
  // Runs the loop for `ms` milliseconds.
  void RunFor(int ms);

  // Listen on 127.0.0.1:0 (or the given address); returns the handle, port in *port.
  HandleId ListenTcp(const std::string& ip, uint16_t* port, const ListenOptions& options = ListenOptions());
  HandleId ConnectTcp(const std::string& ip, uint16_t port);
  // Listen on a Unix socket / named pipe at `path`; its address in *address.
  HandleId ListenPath(const std::string& path, SocketAddress* address);

  // A TCP simultaneous open of a socket with itself (same address and port
  // at both ends): see the Wine difference at connect_refused.
  bool ConnectedToItself(HandleId id) const;
  bool IsClosed(HandleId id) const { return closed_.count(id) != 0; }
  int ClosedCount(HandleId id) const;
  int WrittenCount(uint64_t token) const;
  int WrittenStatus(uint64_t token) const;
  size_t violations() const { return violations_; }
  // When the Drain delivering the current event began: no earlier than
  // anything the engine stamped while handling that event's completion.
  std::chrono::steady_clock::time_point drain_started() const { return drain_started_; }
  // Closes every handle not yet closed (Abort) and waits for their kClosed.
  void CloseAll(const std::vector<HandleId>& ids);

  void OnEvent(const Event& event) override;
  // Lends receive memory as the Node bridge does (a chunk of half a slab or
  // more takes the slab, and the next receive gets a new one), so the
  // backends' in-place receive paths run here too; the taken slab is freed
  // right after its event, so ASan catches a backend that keeps using it.
  uint8_t* LendReceiveMemory(size_t* capacity) override;
  static constexpr size_t kLentSize = 64 * 1024;
  size_t lent_chunks() const { return lent_chunks_; }

 private:
  bool WaitForCompletions(int ms);

  std::unique_ptr<Backend> backend_;
#ifdef _WIN32
  void* wake_event_ = nullptr;  // HANDLE
#endif
  std::map<HandleId, int> closed_counts_;
  std::set<HandleId> closed_;
  std::map<uint64_t, int> written_counts_;
  std::map<uint64_t, int> written_status_;
  size_t violations_ = 0;
  std::unique_ptr<uint8_t[]> lent_;
  size_t lent_chunks_ = 0;  // chunks received in place, in lent memory
  std::chrono::steady_clock::time_point drain_started_;
};

// Deterministic test bytes and a checksum.
uint8_t PatternByte(uint64_t offset);
uint64_t Fnv1a(uint64_t hash, const uint8_t* data, size_t size);
constexpr uint64_t kFnvSeed = 1469598103934665603ull;

}  // namespace test
}  // namespace iocpnet

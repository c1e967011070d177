#include "test/loop.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <poll.h>
#endif

#include <chrono>
#include <cstdio>

namespace iocpnet {
namespace test {

BackendOptions SmallOptions() {
  BackendOptions options;
  options.name = CurrentBackend();
  options.read_buffer_size = 64 * 1024;
  options.close_timeout_ms = 2000;
  options.uring.ring_entries = 1024;
  options.uring.recv_buffer_count = 256;
  return options;
}

Loop::Loop(const BackendOptions& options) {
  int error = 0;
  std::string why;
  backend_ = CreateBackend(options, &error, &why);
  if (!backend_) {
    Fail(__FILE__, __LINE__, "CreateBackend failed: " + why);
    throw TestAbort();
  }
#ifdef _WIN32
  // IOCP wakes the loop from its I/O threads, as the bridge's uv_async.
  wake_event_ = CreateEventW(nullptr, FALSE, FALSE, nullptr);
  backend_->SetWakeCallback([](void* event) { SetEvent(static_cast<HANDLE>(event)); }, wake_event_);
#endif
}

Loop::~Loop() {
  if (violations_ != 0) Fail(__FILE__, __LINE__, "contract violations: " + std::to_string(violations_));
#ifdef _WIN32
  backend_.reset();  // its threads call the wake callback until then
  CloseHandle(wake_event_);
#endif
}

// Waits up to `ms` for the backend to say Drain has work.
bool Loop::WaitForCompletions(int ms) {
#ifdef _WIN32
  return WaitForSingleObject(wake_event_, static_cast<DWORD>(ms)) == WAIT_OBJECT_0;
#else
  pollfd pfd{backend_->PollFd(), POLLIN, 0};
  return poll(&pfd, 1, ms) > 0;
#endif
}

void Loop::OnEvent(const Event& event) {
  if (closed_.count(event.handle) != 0) {
    ++violations_;  // nothing may follow kClosed
    std::printf("    event %d for handle %llu after kClosed\n", static_cast<int>(event.kind),
                static_cast<unsigned long long>(event.handle));
  }
  if (event.kind == EventKind::kClosed) {
    closed_.insert(event.handle);
    if (++closed_counts_[event.handle] != 1) ++violations_;
  }
  if (event.kind == EventKind::kWritten) {
    if (++written_counts_[event.token] != 1) ++violations_;
    written_status_[event.token] = event.status;
  }
  std::unique_ptr<uint8_t[]> taken;
  if (event.kind == EventKind::kData && lent_ && event.data == lent_.get()) {
    ++lent_chunks_;
    if (event.size >= kLentSize / 2) taken = std::move(lent_);
  }
  if (on_event) on_event(event);
}

uint8_t* Loop::LendReceiveMemory(size_t* capacity) {
  if (!lent_) lent_.reset(new uint8_t[kLentSize]);
  *capacity = kLentSize;
  return lent_.get();
}

bool Loop::RunUntil(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  backend_->Flush();
  while (!done()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return done();
    int wait = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
    // Drain only when the fd (or the wake-up) says so, as the Node bridge
    // does: draining on every timeout would hide an engine that stops
    // producing completions.
    if (WaitForCompletions(wait > 50 ? 50 : wait)) {
      drain_started_ = std::chrono::steady_clock::now();
      backend_->Drain(*this);
    }
    backend_->Flush();
  }
  return true;
}

void Loop::RunFor(int ms) {
  RunUntil([] { return false; }, ms);
}

HandleId Loop::ListenTcp(const std::string& ip, uint16_t* port, const ListenOptions& options) {
  SocketAddress address;
  REQUIRE(SocketAddress::FromIp(ip, 0, &address));
  HandleId id = kInvalidHandle;
  int result = backend_->Listen(address, options, &id);
  if (result != 0) {
    Fail(__FILE__, __LINE__, std::string("Listen failed: ") + UvErrorName(result));
    throw TestAbort();
  }
  SocketAddress bound;
  REQUIRE(backend_->GetSockName(id, &bound) == 0);
  *port = bound.port();
  return id;
}

HandleId Loop::ListenPath(const std::string& path, SocketAddress* address) {
  REQUIRE(SocketAddress::FromPath(path, address));
  HandleId id = kInvalidHandle;
  int result = backend_->Listen(*address, ListenOptions(), &id);
  if (result != 0) {
    Fail(__FILE__, __LINE__, std::string("Listen failed: ") + UvErrorName(result));
    throw TestAbort();
  }
  return id;
}

HandleId Loop::ConnectTcp(const std::string& ip, uint16_t port) {
  SocketAddress address;
  REQUIRE(SocketAddress::FromIp(ip, port, &address));
  HandleId id = kInvalidHandle;
  REQUIRE(backend_->Connect(address, nullptr, &id) == 0);
  return id;
}

bool Loop::ConnectedToItself(HandleId id) const {
  SocketAddress local, peer;
  if (backend_->GetSockName(id, &local) != 0 || backend_->GetPeerName(id, &peer) != 0) return false;
  return !local.IsUnix() && local.port() == peer.port() && local.ip() == peer.ip();
}

int Loop::ClosedCount(HandleId id) const {
  auto it = closed_counts_.find(id);
  return it == closed_counts_.end() ? 0 : it->second;
}

int Loop::WrittenCount(uint64_t token) const {
  auto it = written_counts_.find(token);
  return it == written_counts_.end() ? 0 : it->second;
}

int Loop::WrittenStatus(uint64_t token) const {
  auto it = written_status_.find(token);
  return it == written_status_.end() ? 1 : it->second;
}

void Loop::CloseAll(const std::vector<HandleId>& ids) {
  for (HandleId id : ids) {
    if (!IsClosed(id)) backend_->Close(id, CloseMode::kAbort);
  }
  RunUntil([&] {
    for (HandleId id : ids)
      if (!IsClosed(id)) return false;
    return true;
  }, 5000);
}

uint8_t PatternByte(uint64_t offset) { return static_cast<uint8_t>((offset * 2654435761u) >> 13); }

uint64_t Fnv1a(uint64_t hash, const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace test
}  // namespace iocpnet

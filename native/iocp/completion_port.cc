#include "iocp/completion_port.h"

namespace iocpnet {
namespace iocp {

namespace {
// Packets taken per GetQueuedCompletionStatusEx call.
constexpr ULONG kBatch = 128;
}  // namespace

CompletionPort::~CompletionPort() {
  StopThreads();
  if (port_ != nullptr) CloseHandle(port_);
}

DWORD CompletionPort::Start(unsigned int threads) {
  // Concurrency = the I/O threads: they never block elsewhere than in the
  // port (a short mutex aside), so the kernel need not wake a spare one.
  port_ = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, threads);
  if (port_ == nullptr) return GetLastError();
  for (unsigned int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  return 0;
}

void CompletionPort::StopThreads() {
  if (threads_.empty()) return;
  for (size_t i = 0; i < threads_.size(); ++i) Post(kStopKey);
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

bool CompletionPort::Associate(HANDLE handle) const {
  return CreateIoCompletionPort(handle, port_, kSocketKey, 0) != nullptr;
}

bool CompletionPort::Post(ULONG_PTR key) const { return PostQueuedCompletionStatus(port_, 0, key, nullptr) != FALSE; }

void CompletionPort::SetWake(void (*wake)(void*), void* arg) {
  bool missed;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_ = wake;
    wake_arg_ = arg;
    missed = wake_missed_ && wake != nullptr;
    wake_missed_ = false;
  }
  if (missed) wake(arg);
}

void CompletionPort::RequestWake() {
  std::lock_guard<std::mutex> lock(mutex_);
  CallWake();
}

// With mutex_ held: the bridge's wake-up (uv_async_send) is thread-safe and
// never blocks; calling it under the lock keeps SetWake(null) at teardown
// from racing with a thread about to call the old callback.
void CompletionPort::CallWake() {
  if (wake_ != nullptr) {
    wake_(wake_arg_);
  } else {
    wake_missed_ = true;
  }
}

void CompletionPort::Take(std::vector<Completion>* out) {
  out->clear();
  std::lock_guard<std::mutex> lock(mutex_);
  out->swap(ready_);
}

bool CompletionPort::HandOver(const OVERLAPPED_ENTRY* entries, ULONG count, bool* stop) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool was_empty = ready_.empty();
  size_t before = ready_.size();
  for (ULONG i = 0; i < count; ++i) {
    if (entries[i].lpCompletionKey == kStopKey) {
      // One stop per thread: a second one in this batch belongs to another.
      if (*stop) Post(kStopKey);
      *stop = true;
      continue;
    }
    ready_.push_back(Completion{entries[i].lpOverlapped, entries[i].lpCompletionKey,
                                entries[i].dwNumberOfBytesTransferred});
  }
  bool wake = was_empty && ready_.size() > before;
  if (wake) CallWake();
  return wake;
}

void CompletionPort::Run() {
  OVERLAPPED_ENTRY entries[kBatch];
  for (;;) {
    ULONG count = 0;
    if (!GetQueuedCompletionStatusEx(port_, entries, kBatch, &count, INFINITE, FALSE)) {
      if (GetLastError() == ERROR_ABANDONED_WAIT_0) return;  // the port was closed
      continue;
    }
    bool stop = false;
    HandOver(entries, count, &stop);
    if (stop) return;
  }
}

size_t CompletionPort::Wait(std::vector<Completion>* out, DWORD timeout_ms) {
  OVERLAPPED_ENTRY entries[kBatch];
  ULONG count = 0;
  if (!GetQueuedCompletionStatusEx(port_, entries, kBatch, &count, timeout_ms, FALSE)) return 0;
  size_t added = 0;
  for (ULONG i = 0; i < count; ++i) {
    if (entries[i].lpCompletionKey == kStopKey) continue;
    out->push_back(Completion{entries[i].lpOverlapped, entries[i].lpCompletionKey,
                              entries[i].dwNumberOfBytesTransferred});
    ++added;
  }
  return added;
}

}  // namespace iocp
}  // namespace iocpnet

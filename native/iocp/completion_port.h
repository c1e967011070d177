// CompletionPort: one I/O completion port, the I/O threads that wait on it,
// and the hand-over of what they dequeue to the owner (JS) thread.
//
// The I/O threads only wait: each sits in GetQueuedCompletionStatusEx,
// takes a batch of completion packets, appends it to one list under a mutex
// and, when that list was empty, calls the wake callback (the bridge's
// uv_async_send) so the owner thread comes to Drain. Everything else (the
// engine core, every Connection, every socket call that follows a
// completion) stays on the owner thread, which Take()s the whole list at
// once. uv_async_send coalesces wake-ups; the list never loses a packet.
#pragma once

#include <winsock2.h>
#include <windows.h>

#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace iocpnet {
namespace iocp {

// One dequeued packet: the OVERLAPPED it completes (null for a packet the
// backend posted itself), its completion key and byte count.
struct Completion {
  OVERLAPPED* overlapped;
  ULONG_PTR key;
  DWORD bytes;
};

class CompletionPort {
 public:
  // Completion keys. Sockets are associated with kSocketKey; the others mark
  // packets posted with Post().
  static constexpr ULONG_PTR kSocketKey = 0;
  static constexpr ULONG_PTR kTimerKey = 1;
  static constexpr ULONG_PTR kStopKey = 2;  // one per I/O thread, at teardown

  CompletionPort() = default;
  ~CompletionPort();
  CompletionPort(const CompletionPort&) = delete;
  CompletionPort& operator=(const CompletionPort&) = delete;

  // Creates the port and starts `threads` I/O threads. 0 or a Win32 error.
  DWORD Start(unsigned int threads);
  // Stops and joins the I/O threads (the port stays open: teardown still
  // reaps what was cancelled, with Wait()). Idempotent.
  void StopThreads();

  HANDLE handle() const { return port_; }
  unsigned int thread_count() const { return static_cast<unsigned int>(threads_.size()); }

  // Associates a socket (or any overlapped handle) with the port.
  bool Associate(HANDLE handle) const;
  // Queues a packet of our own (timer, stop).
  bool Post(ULONG_PTR key) const;

  // Where wake-ups go; a wake-up missed while none was set is made at once.
  void SetWake(void (*wake)(void* arg), void* arg);
  // Asks for a Drain from the owner thread (events queued outside Drain).
  void RequestWake();

  // The packets handed over since the last Take (owner thread).
  void Take(std::vector<Completion>* out);

  // After StopThreads: dequeues packets on the calling thread, up to
  // `timeout_ms`. Returns how many were appended to `out`.
  size_t Wait(std::vector<Completion>* out, DWORD timeout_ms);

 private:
  void Run();
  // Appends a batch; returns whether the list was empty (a wake-up is due).
  bool HandOver(const OVERLAPPED_ENTRY* entries, ULONG count, bool* stop);
  void CallWake();

  HANDLE port_ = nullptr;
  std::vector<std::thread> threads_;
  std::mutex mutex_;  // guards everything below
  std::vector<Completion> ready_;
  void (*wake_)(void*) = nullptr;
  void* wake_arg_ = nullptr;
  bool wake_missed_ = false;  // work arrived before SetWake
};

}  // namespace iocp
}  // namespace iocpnet

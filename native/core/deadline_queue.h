// DeadlineQueue: the engine's timed work. A graceful close that cannot finish
// gives up after the close timeout (rule 6), and a send or receive the kernel
// refused for now is tried again shortly (rule 16). Each kind has one delay,
// so a FIFO per kind is already in deadline order. The backend keeps one
// timer armed for Next() (EngineCore calls its ArmTimer hook).
#pragma once

#include <cstdint>

#include "backend.h"
#include "ring_queue.h"

namespace iocpnet {

class DeadlineQueue {
 public:
  enum class Kind : uint8_t { kCloseTimeout, kRetrySend, kRetryReceive };
  static constexpr uint64_t kNone = UINT64_MAX;

  void AddCloseTimeout(HandleId id, uint64_t deadline_ms) { closes_.push_back(Entry{id, deadline_ms, Kind::kCloseTimeout}); }
  void AddRetry(HandleId id, uint64_t deadline_ms, bool receive) {
    retries_.push_back(Entry{id, deadline_ms, receive ? Kind::kRetryReceive : Kind::kRetrySend});
  }

  // The earliest deadline, or kNone.
  uint64_t Next() const {
    uint64_t next = kNone;
    if (!closes_.empty()) next = closes_.front().deadline_ms;
    if (!retries_.empty() && retries_.front().deadline_ms < next) next = retries_.front().deadline_ms;
    return next;
  }

  // Calls due(id, kind) for every entry whose deadline has come, in order.
  template <typename Due>
  void PopDue(uint64_t now_ms, Due due) {
    PopDue(closes_, now_ms, due);
    PopDue(retries_, now_ms, due);
  }

 private:
  struct Entry {
    HandleId id;
    uint64_t deadline_ms;
    Kind kind;
  };

  template <typename Due>
  static void PopDue(RingQueue<Entry>& queue, uint64_t now_ms, Due& due) {
    while (!queue.empty() && queue.front().deadline_ms <= now_ms) {
      Entry entry = queue.front();
      queue.pop_front();
      due(entry.id, entry.kind);
    }
  }

  RingQueue<Entry> closes_;
  RingQueue<Entry> retries_;
};

}  // namespace iocpnet

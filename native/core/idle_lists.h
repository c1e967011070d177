// IdleLists: the idle reaper's bookkeeping (rule 13). Connections with an
// idle timeout are kept, per timeout value, in a list ordered by their last
// activity: a byte received or sent moves the connection to the back in
// O(1), so the front is always the one idle longest, and one engine timer
// for the earliest front is all 100,000 idle connections cost (no timer per
// connection, in the engine or in JS).
#pragma once

#include <cstdint>
#include <vector>

#include "core/connection.h"

namespace iocpnet {

class IdleLists {
 public:
  static constexpr uint64_t kNone = UINT64_MAX;

  // `conn` has `timeout_ms` from now (0: none; it leaves its list).
  void Set(Connection* conn, uint32_t timeout_ms, uint64_t now_ms) {
    Remove(conn);
    conn->idle_timeout_ms = timeout_ms;
    if (timeout_ms != 0) Append(conn, now_ms);
  }

  // A byte went in or out: a new idle period starts (also after a kIdle).
  void Touch(Connection* conn, uint64_t now_ms) {
    if (conn->idle_timeout_ms == 0) return;
    Remove(conn);
    Append(conn, now_ms);
  }

  // Leaves its list (closing, released, or reported idle); keeps its timeout.
  void Remove(Connection* conn) {
    if (!conn->idle_linked) return;
    List& list = ListFor(conn->idle_timeout_ms);
    (conn->idle_prev ? conn->idle_prev->idle_next : list.head) = conn->idle_next;
    (conn->idle_next ? conn->idle_next->idle_prev : list.tail) = conn->idle_prev;
    conn->idle_prev = conn->idle_next = nullptr;
    conn->idle_linked = false;
  }

  // When the timer should fire next: the earliest front's deadline, a little
  // late (1/16 of its timeout, at most 1 s) so that connections idle since
  // about the same time are reaped by one timer, not one each.
  uint64_t NextDeadline() const {
    uint64_t next = kNone;
    for (const List& list : lists_) {
      if (list.head == nullptr) continue;
      uint64_t slack = list.timeout_ms / 16 < 1000 ? list.timeout_ms / 16 : 1000;
      uint64_t deadline = list.head->idle_since_ms + list.timeout_ms + slack;
      if (deadline < next) next = deadline;
    }
    return next;
  }

  // Takes every connection idle for its whole timeout out of its list and
  // calls expired(conn) for it, longest idle first.
  template <typename Expired>
  void PopExpired(uint64_t now_ms, Expired expired) {
    for (List& list : lists_) {
      while (list.head != nullptr && list.head->idle_since_ms + list.timeout_ms <= now_ms) {
        Connection* conn = list.head;
        Remove(conn);
        expired(conn);
      }
    }
  }

 private:
  struct List {
    uint32_t timeout_ms;
    Connection* head;
    Connection* tail;
  };

  // Lists are few (one per distinct timeout a program uses) and never freed.
  List& ListFor(uint32_t timeout_ms) {
    for (List& list : lists_) {
      if (list.timeout_ms == timeout_ms) return list;
    }
    lists_.push_back(List{timeout_ms, nullptr, nullptr});
    return lists_.back();
  }

  void Append(Connection* conn, uint64_t now_ms) {
    List& list = ListFor(conn->idle_timeout_ms);
    conn->idle_since_ms = now_ms;
    conn->idle_prev = list.tail;
    conn->idle_next = nullptr;
    (list.tail ? list.tail->idle_next : list.head) = conn;
    list.tail = conn;
    conn->idle_linked = true;
  }

  std::vector<List> lists_;
};

}  // namespace iocpnet

// RingQueue: a FIFO over a growable circular array. Unlike std::deque it never
// frees or allocates blocks in steady state (push/pop reuse the same storage),
// which keeps per-connection write queues allocation-free on the hot path.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace iocpnet {

template <typename T>
class RingQueue {
 public:
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }

  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  T& back() { return (*this)[count_ - 1]; }
  T& operator[](size_t i) { return items_[(head_ + i) & (items_.size() - 1)]; }
  const T& operator[](size_t i) const { return items_[(head_ + i) & (items_.size() - 1)]; }

  void push_back(const T& value) {
    if (count_ == items_.size()) Grow();
    items_[(head_ + count_) & (items_.size() - 1)] = value;
    ++count_;
  }

  void pop_front() {
    head_ = (head_ + 1) & (items_.size() - 1);
    --count_;
  }

  void pop_back() { --count_; }

  void clear() {
    head_ = 0;
    count_ = 0;
  }

  // Drops the storage too (used when a connection goes idle or is recycled).
  void reset() {
    clear();
    std::vector<T>().swap(items_);
  }

 private:
  // Two entries at first: every connection that ever wrote keeps its send
  // queues' storage while idle, and most never queue more than a write or
  // two at a time (8 entries cost an idle connection 400 bytes, about a
  // tenth of all it holds). Busier queues double to their peak once.
  static constexpr size_t kInitialCapacity = 2;

  void Grow() {
    size_t capacity = items_.empty() ? kInitialCapacity : items_.size() * 2;  // power of two
    std::vector<T> grown(capacity);
    for (size_t i = 0; i < count_; ++i) grown[i] = std::move((*this)[i]);
    items_.swap(grown);
    head_ = 0;
  }

  std::vector<T> items_;
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace iocpnet

// BufferPool: fixed-size, page-aligned buffers whose size is a page multiple
// (rule 10). Released buffers are kept on a free list (up to a cap) and
// handed out again, so the send path allocates nothing in steady state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace iocpnet {

class BufferPool {
 public:
  // `buffer_size` is rounded up to a page multiple. At most `max_free`
  // released buffers are cached; more are returned to the system.
  BufferPool(size_t buffer_size, size_t max_free);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A buffer of buffer_size() bytes, or null when memory is exhausted.
  uint8_t* Acquire();
  // Gives back a buffer obtained from Acquire() of this pool.
  void Release(uint8_t* buffer);

  size_t buffer_size() const { return buffer_size_; }
  size_t outstanding() const { return outstanding_; }
  size_t cached() const { return free_.size(); }

  static size_t PageSize();

 private:
  size_t buffer_size_;
  size_t max_free_;
  size_t outstanding_ = 0;
  std::vector<uint8_t*> free_;
};

}  // namespace iocpnet

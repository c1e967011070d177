#include "buffer_pool.h"

#include <unistd.h>

#include <cstdlib>

namespace iocpnet {

size_t BufferPool::PageSize() {
  static const size_t page = [] {
    long value = sysconf(_SC_PAGESIZE);
    return value > 0 ? static_cast<size_t>(value) : size_t{4096};
  }();
  return page;
}

BufferPool::BufferPool(size_t buffer_size, size_t max_free) : max_free_(max_free) {
  size_t page = PageSize();
  if (buffer_size == 0) buffer_size = page;
  buffer_size_ = (buffer_size + page - 1) / page * page;
}

BufferPool::~BufferPool() {
  for (uint8_t* buffer : free_) std::free(buffer);
}

uint8_t* BufferPool::Acquire() {
  uint8_t* buffer;
  if (!free_.empty()) {
    buffer = free_.back();
    free_.pop_back();
  } else {
    void* memory = nullptr;
    if (posix_memalign(&memory, PageSize(), buffer_size_) != 0) return nullptr;
    buffer = static_cast<uint8_t*>(memory);
  }
  ++outstanding_;
  return buffer;
}

void BufferPool::Release(uint8_t* buffer) {
  if (buffer == nullptr) return;
  --outstanding_;
  if (free_.size() < max_free_) {
    free_.push_back(buffer);
  } else {
    std::free(buffer);
  }
}

}  // namespace iocpnet

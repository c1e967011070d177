#include "buffer_pool.h"

#ifdef _WIN32
#include <malloc.h>
#include <windows.h>
#else
#include <unistd.h>
#endif

#include <cstdlib>

namespace iocpnet {

namespace {

#ifdef _WIN32
void* AllocateAligned(size_t alignment, size_t size) { return _aligned_malloc(size, alignment); }
void FreeAligned(void* memory) { _aligned_free(memory); }
#else
void* AllocateAligned(size_t alignment, size_t size) {
  void* memory = nullptr;
  return posix_memalign(&memory, alignment, size) == 0 ? memory : nullptr;
}
void FreeAligned(void* memory) { std::free(memory); }
#endif

}  // namespace

size_t BufferPool::PageSize() {
  static const size_t page = [] {
#ifdef _WIN32
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    long value = static_cast<long>(info.dwPageSize);
#else
    long value = sysconf(_SC_PAGESIZE);
#endif
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
  for (uint8_t* buffer : free_) FreeAligned(buffer);
}

uint8_t* BufferPool::Acquire() {
  uint8_t* buffer;
  if (!free_.empty()) {
    buffer = free_.back();
    free_.pop_back();
  } else {
    buffer = static_cast<uint8_t*>(AllocateAligned(PageSize(), buffer_size_));
    if (buffer == nullptr) return nullptr;
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
    FreeAligned(buffer);
  }
}

}  // namespace iocpnet

#include "receive_buffers.h"

#include <cstring>

namespace iocpnet {
namespace bridge {

void ReceiveBuffers::Begin() {
  own_.clear();
  staged_ = 0;
  failed_ = false;
}

uint8_t* ReceiveBuffers::Lend(size_t* capacity) {
  *capacity = 0;
  if (failed_) return nullptr;
  if (slab_ref_ == nullptr) {
    void* memory = nullptr;
    napi_value slab;
    if (napi_create_buffer(env_, kSlabSize, &memory, &slab) != napi_ok ||
        napi_create_reference(env_, slab, 1, &slab_ref_) != napi_ok) {
      slab_ref_ = nullptr;
      return nullptr;  // the backend reads into its own buffer then
    }
    slab_memory_ = static_cast<uint8_t*>(memory);
  }
  *capacity = kSlabSize;
  return slab_memory_;
}

bool ReceiveBuffers::Copy(const uint8_t* data, size_t size, uint32_t* index, size_t* offset) {
  if (failed_) return false;
  if (data == slab_memory_ && slab_ref_ != nullptr && size >= kAdoptMin) {
    // The read filled the lent slab: it becomes this chunk's Buffer.
    napi_value slab;
    if (napi_get_reference_value(env_, slab_ref_, &slab) != napi_ok || slab == nullptr) {
      failed_ = true;
      return false;
    }
    napi_delete_reference(env_, slab_ref_);
    slab_ref_ = nullptr;
    slab_memory_ = nullptr;
    own_.push_back(slab);
    *index = static_cast<uint32_t>(own_.size());
    *offset = 0;
    return true;
  }
  if (size < kOwnBufferMin) {
    if (!ReserveStaging(staged_ + size)) {
      failed_ = true;
      return false;
    }
    std::memcpy(staging_memory_ + staged_, data, size);
    *index = kSmallIndex;
    *offset = staged_;
    staged_ += size;
    return true;
  }
  void* memory = nullptr;
  napi_value buffer;
  if (napi_create_buffer(env_, size, &memory, &buffer) != napi_ok) {
    failed_ = true;
    return false;
  }
  std::memcpy(memory, data, size);
  own_.push_back(buffer);
  *index = static_cast<uint32_t>(own_.size());  // 1-based: 0 is the small Buffer
  *offset = 0;
  return true;
}

bool ReceiveBuffers::Publish(napi_value* buffers) {
  if (failed_) return false;
  if (own_.empty() && staged_ == 0) return napi_get_undefined(env_, buffers) == napi_ok;
  napi_value small = nullptr;
  if (staged_ > 0) {
    if (napi_get_reference_value(env_, staging_ref_, &small) != napi_ok || small == nullptr) return false;
    // A batch of unusually many small reads should not pin its staging memory forever.
    if (staging_size_ > kMaxKeptStaging) DropStaging();
    if (own_.empty()) {
      *buffers = small;
      return true;
    }
  }
  napi_value array;
  if (napi_create_array_with_length(env_, own_.size() + 1, &array) != napi_ok) return false;
  if (small != nullptr && napi_set_element(env_, array, kSmallIndex, small) != napi_ok) return false;
  for (size_t i = 0; i < own_.size(); ++i) {
    if (napi_set_element(env_, array, static_cast<uint32_t>(i + 1), own_[i]) != napi_ok) return false;
  }
  *buffers = array;
  return true;
}

bool ReceiveBuffers::ReserveStaging(size_t size) {
  if (staging_ref_ != nullptr && staging_size_ >= size) return true;
  size_t grown = staging_size_ * 2;
  if (grown < kSlabSize) grown = kSlabSize;
  if (grown < size) grown = size;
  void* memory = nullptr;
  napi_value created;
  napi_ref ref = nullptr;
  if (napi_create_arraybuffer(env_, grown, &memory, &created) != napi_ok ||
      napi_create_reference(env_, created, 1, &ref) != napi_ok) {
    return false;
  }
  if (staged_ > 0) std::memcpy(memory, staging_memory_, staged_);
  DropStaging();
  staging_ref_ = ref;
  staging_memory_ = static_cast<uint8_t*>(memory);
  staging_size_ = grown;
  return true;
}

void ReceiveBuffers::DropStaging() {
  if (staging_ref_ != nullptr) napi_delete_reference(env_, staging_ref_);
  staging_ref_ = nullptr;
  staging_memory_ = nullptr;
  staging_size_ = 0;
}

void ReceiveBuffers::Release() {
  DropStaging();
  if (slab_ref_ != nullptr) napi_delete_reference(env_, slab_ref_);
  slab_ref_ = nullptr;
  slab_memory_ = nullptr;
  own_.clear();
  staged_ = 0;
}

}  // namespace bridge
}  // namespace iocpnet

#include "receive_buffers.h"

#include <cstring>

namespace iocpnet {
namespace bridge {

void ReceiveBuffers::Begin() {
  own_.clear();
  small_.clear();
  // One batch of many small reads should not pin its staging memory forever.
  if (small_.capacity() > kMaxKeptStaging) small_.shrink_to_fit();
  failed_ = false;
}

bool ReceiveBuffers::Copy(const uint8_t* data, size_t size, uint32_t* index, size_t* offset) {
  if (failed_) return false;
  if (size < kOwnBufferMin) {
    *index = kSmallIndex;
    *offset = small_.size();
    small_.insert(small_.end(), data, data + size);
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
  if (own_.empty() && small_.empty()) return napi_get_undefined(env_, buffers) == napi_ok;
  napi_value array;
  if (napi_create_array_with_length(env_, own_.size() + 1, &array) != napi_ok) return false;
  if (!small_.empty()) {
    void* memory = nullptr;
    napi_value small;
    if (napi_create_buffer(env_, small_.size(), &memory, &small) != napi_ok) return false;
    std::memcpy(memory, small_.data(), small_.size());
    if (napi_set_element(env_, array, kSmallIndex, small) != napi_ok) return false;
  }
  for (size_t i = 0; i < own_.size(); ++i) {
    if (napi_set_element(env_, array, static_cast<uint32_t>(i + 1), own_[i]) != napi_ok) return false;
  }
  *buffers = array;
  return true;
}

void ReceiveBuffers::Release() {
  own_.clear();
  small_.clear();
  small_.shrink_to_fit();
}

}  // namespace bridge
}  // namespace iocpnet

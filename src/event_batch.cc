#include "event_batch.h"

#include "writev.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>

namespace iocpnet {
namespace bridge {
namespace {

constexpr size_t kInitialRecords = 1024;

}  // namespace

EventBatch::EventBatch(napi_env env, WritePins* pins) : env_(env), pins_(pins), received_(env) {}

EventBatch::~EventBatch() { Release(); }

void EventBatch::Release() {
  received_.Release();
  if (records_ref_ != nullptr) napi_delete_reference(env_, records_ref_);
  records_ref_ = nullptr;
  records_ = nullptr;
  capacity_ = 0;
}

void EventBatch::Begin() {
  received_.Begin();
  pending_.clear();
  callbacks_.clear();
  count_ = 0;
}

void EventBatch::OnEvent(const Event& event) {
  // Nothing may be thrown through Drain(). What can fail here is allocation;
  // losing an event silently is worse than stopping.
  try {
    Record(event);
  } catch (const std::exception& e) {
    napi_fatal_error("iocp-net", NAPI_AUTO_LENGTH, e.what(), NAPI_AUTO_LENGTH);
  }
}

void EventBatch::Record(const Event& event) {
  double aux = 0;
  double offset = 0;
  double size = 0;
  switch (event.kind) {
    case EventKind::kConnection:
      aux = static_cast<double>(event.peer);
      break;
    case EventKind::kData: {
      if (event.size == 0) return;  // nothing to deliver (a FIN comes as kEnd)
      uint32_t index = 0;
      size_t at = 0;
      // On failure the batch is dropped at Publish; the record is harmless.
      received_.Copy(event.data, event.size, &index, &at);
      aux = static_cast<double>(index);
      offset = static_cast<double>(at);
      size = event.size;
      break;
    }
    case EventKind::kWritten: {
      if (event.token == kCommittedToken) {
        aux = -1;  // a committed write failed: for the socket's owner, no callback
        break;
      }
      // Releases the write's pins now: the kernel is done with its bytes.
      napi_value callback = pins_->Complete(env_, event.token);
      if (callback == nullptr) return;  // not a write of ours: nothing to call
      aux = static_cast<double>(callbacks_.size());
      callbacks_.push_back(callback);
      break;
    }
    default:
      break;
  }
  double record[kRecordFields] = {static_cast<double>(static_cast<uint8_t>(event.kind)),
                                  static_cast<double>(event.handle),
                                  static_cast<double>(event.status),
                                  aux,
                                  offset,
                                  size};
  pending_.insert(pending_.end(), record, record + kRecordFields);
  ++count_;
}

bool EventBatch::PublishRecords(napi_value* records) {
  if (count_ > capacity_) {
    size_t capacity = capacity_ == 0 ? kInitialRecords : capacity_;
    while (capacity < count_) capacity *= 2;
    void* data = nullptr;
    napi_value buffer;
    napi_value array;
    napi_ref ref;
    if (napi_create_arraybuffer(env_, capacity * kRecordFields * sizeof(double), &data, &buffer) != napi_ok ||
        napi_create_typedarray(env_, napi_float64_array, capacity * kRecordFields, buffer, 0, &array) != napi_ok ||
        napi_create_reference(env_, array, 1, &ref) != napi_ok) {
      return false;
    }
    if (records_ref_ != nullptr) napi_delete_reference(env_, records_ref_);
    records_ref_ = ref;
    records_ = static_cast<double*>(data);
    capacity_ = capacity;
  }
  if (records_ref_ == nullptr) return false;
  std::memcpy(records_, pending_.data(), pending_.size() * sizeof(double));
  return napi_get_reference_value(env_, records_ref_, records) == napi_ok && *records != nullptr;
}

bool EventBatch::PublishCallbacks(napi_value* callbacks) {
  if (callbacks_.empty()) return napi_get_undefined(env_, callbacks) == napi_ok;
  napi_value array;
  if (napi_create_array_with_length(env_, callbacks_.size(), &array) != napi_ok) return false;
  for (size_t i = 0; i < callbacks_.size(); ++i) {
    if (napi_set_element(env_, array, static_cast<uint32_t>(i), callbacks_[i]) != napi_ok) return false;
  }
  *callbacks = array;
  return true;
}

bool EventBatch::Publish(napi_value* records, napi_value* buffers, napi_value* callbacks) {
  return PublishRecords(records) && received_.Publish(buffers) && PublishCallbacks(callbacks);
}

}  // namespace bridge
}  // namespace iocpnet

#include "event_batch.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>

namespace iocpnet {
namespace bridge {
namespace {

constexpr size_t kInitialRecords = 1024;
// A slab holds the bytes of many small reads, or one full 64 KiB receive
// buffer. Kept below malloc's mmap threshold (128 KiB by default) so slabs
// come from the heap: a slab per batch must not cost mmap/mremap/munmap
// syscalls (it did at 256 KiB: 3 syscalls per ping-pong batch). A slab that
// ends up mostly empty is shrunk in place before JS sees it.
constexpr size_t kSlabSize = 64 * 1024;

void FreeSlab(napi_env /*env*/, void* data, void* /*hint*/) { std::free(data); }

}  // namespace

EventBatch::EventBatch(napi_env env, WritePins* pins, PendingRequests* requests)
    : env_(env), pins_(pins), requests_(requests) {}

EventBatch::~EventBatch() { Release(); }

void EventBatch::FreeSlabs() {
  for (Slab& slab : slabs_) std::free(slab.data);
  slabs_.clear();
}

void EventBatch::Release() {
  FreeSlabs();
  if (records_ref_ != nullptr) napi_delete_reference(env_, records_ref_);
  records_ref_ = nullptr;
  records_ = nullptr;
  capacity_ = 0;
}

void EventBatch::Begin() {
  FreeSlabs();  // left by a batch that could not be published
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

// Copies `size` bytes into the current slab (a new one if they do not fit) and
// returns the slab's index; *offset receives where the bytes start.
double EventBatch::CopyIntoSlab(const uint8_t* data, uint32_t size, double* offset) {
  if (slabs_.empty() || slabs_.back().capacity - slabs_.back().used < size) {
    size_t capacity = size > kSlabSize ? size : kSlabSize;
    auto* memory = static_cast<uint8_t*>(std::malloc(capacity));
    if (memory == nullptr) throw std::bad_alloc();
    slabs_.push_back(Slab{memory, 0, capacity});
  }
  Slab& slab = slabs_.back();
  std::memcpy(slab.data + slab.used, data, size);
  *offset = static_cast<double>(slab.used);
  slab.used += size;
  return static_cast<double>(slabs_.size() - 1);
}

void EventBatch::Record(const Event& event) {
  requests_->OnEvent(event);
  double aux = 0;
  double offset = 0;
  double size = 0;
  switch (event.kind) {
    case EventKind::kConnection:
      aux = static_cast<double>(event.peer);
      break;
    case EventKind::kData:
      if (event.size == 0) return;  // nothing to deliver (a FIN comes as kEnd)
      aux = CopyIntoSlab(event.data, event.size, &offset);
      size = event.size;
      break;
    case EventKind::kWritten: {
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

bool EventBatch::PublishSlabs(napi_value* slabs) {
  if (slabs_.empty()) return napi_get_undefined(env_, slabs) == napi_ok;
  napi_value array;
  if (napi_create_array_with_length(env_, slabs_.size(), &array) != napi_ok) return false;
  for (size_t i = 0; i < slabs_.size(); ++i) {
    Slab& slab = slabs_[i];
    // Give back the unused tail (shrinks in place) so a view kept by JS does
    // not hold memory nobody can see.
    if (slab.used < slab.capacity / 2) {
      void* shrunk = std::realloc(slab.data, slab.used);
      if (shrunk != nullptr) {
        slab.data = static_cast<uint8_t*>(shrunk);
        slab.capacity = slab.used;
      }
    }
    napi_value buffer;
    if (napi_create_external_arraybuffer(env_, slab.data, slab.used, FreeSlab, nullptr, &buffer) != napi_ok) {
      return false;  // this slab and the next ones are still ours: freed by the next Begin/Release
    }
    slab.data = nullptr;  // owned by the ArrayBuffer from here on
    if (napi_set_element(env_, array, static_cast<uint32_t>(i), buffer) != napi_ok) return false;
  }
  FreeSlabs();  // only the emptied entries are left
  *slabs = array;
  return true;
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

bool EventBatch::Publish(napi_value* records, napi_value* slabs, napi_value* callbacks) {
  return PublishRecords(records) && PublishSlabs(slabs) && PublishCallbacks(callbacks);
}

}  // namespace bridge
}  // namespace iocpnet

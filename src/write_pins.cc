#include "write_pins.h"

namespace iocpnet {
namespace bridge {

uint64_t WritePins::Open(Napi::Function callback) {
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[index];
  slot.open = true;
  slot.callback = Napi::Persistent(callback);
  ++open_count_;
  return (static_cast<uint64_t>(slot.generation) << 32) | index;
}

WritePins::Slot* WritePins::Find(uint64_t token) {
  uint32_t index = static_cast<uint32_t>(token);
  if (index >= slots_.size()) return nullptr;
  Slot& slot = slots_[index];
  if (!slot.open || slot.generation != static_cast<uint32_t>(token >> 32)) return nullptr;
  return &slot;
}

void WritePins::Pin(uint64_t token, Napi::Value value) {
  Slot* slot = Find(token);
  if (slot != nullptr) slot->pins.push_back(Napi::Persistent(value));
}

void WritePins::Own(uint64_t token, std::unique_ptr<uint8_t[]> bytes) {
  Slot* slot = Find(token);
  if (slot != nullptr) slot->owned.push_back(std::move(bytes));
}

void WritePins::Release(uint32_t index) {
  Slot& slot = slots_[index];
  // clear() destroys each Reference (napi_delete_reference) exactly once; the
  // vectors keep their capacity for the slot's next write.
  slot.pins.clear();
  slot.owned.clear();
  slot.callback.Reset();
  slot.open = false;
  ++slot.generation;
  free_.push_back(index);
  --open_count_;
}

napi_value WritePins::Complete(napi_env env, uint64_t token) {
  Slot* slot = Find(token);
  if (slot == nullptr) return nullptr;
  napi_value callback = nullptr;
  // The local handle outlives the reference released just below.
  if (napi_get_reference_value(env, slot->callback, &callback) != napi_ok) callback = nullptr;
  Release(static_cast<uint32_t>(token));
  if (callback == nullptr) napi_get_undefined(env, &callback);
  return callback;
}

void WritePins::Cancel(uint64_t token) {
  if (Find(token) != nullptr) Release(static_cast<uint32_t>(token));
}

void WritePins::ReleaseAll() {
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].open) Release(i);
  }
  slots_.clear();
  free_.clear();
}

}  // namespace bridge
}  // namespace iocpnet

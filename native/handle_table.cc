#include "handle_table.h"

namespace iocpnet {

HandleId HandleTable::Allocate(void* value) {
  uint32_t slot;
  if (free_head_ != kNoSlot) {
    slot = free_head_;
    free_head_ = slots_[slot].next_free;
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(Slot());
    slots_.back().generation = 1;
  }
  Slot& s = slots_[slot];
  s.value = value;
  s.next_free = kNoSlot;
  ++live_;
  return (static_cast<HandleId>(s.generation) << 32) | slot;
}

void* HandleTable::Lookup(HandleId id) const {
  uint32_t slot = SlotOf(id);
  uint64_t generation = id >> 32;
  if (slot >= slots_.size() || generation == 0 || generation > kMaxGeneration) return nullptr;
  const Slot& s = slots_[slot];
  if (s.value == nullptr || s.generation != generation) return nullptr;
  return s.value;
}

bool HandleTable::Release(HandleId id) {
  if (Lookup(id) == nullptr) return false;
  uint32_t slot = SlotOf(id);
  Slot& s = slots_[slot];
  s.value = nullptr;
  // Next owner gets a new generation; 0 is skipped so no id is ever 0.
  s.generation = s.generation == kMaxGeneration ? 1 : s.generation + 1;
  s.next_free = free_head_;
  free_head_ = slot;
  --live_;
  return true;
}

}  // namespace iocpnet

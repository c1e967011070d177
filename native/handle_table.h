// HandleTable: slot + generation ids (rule 8). O(1) allocate, lookup and
// release; a released slot is reused through a free list with its generation
// bumped, so an old id never reaches the slot's next owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "backend.h"

namespace iocpnet {

class HandleTable {
 public:
  static constexpr uint32_t kGenerationBits = 21;  // bits 32..52 of a HandleId
  static constexpr uint32_t kMaxGeneration = (1u << kGenerationBits) - 1;

  // Stores `value` (non-null) in a free slot and returns its new id.
  HandleId Allocate(void* value);
  // The value stored for a live id; null for a stale, released or unknown id.
  void* Lookup(HandleId id) const;
  // Frees the slot of a live id. Returns false (and does nothing) otherwise.
  bool Release(HandleId id);

  size_t live() const { return live_; }
  size_t capacity() const { return slots_.size(); }

  static uint32_t SlotOf(HandleId id) { return static_cast<uint32_t>(id & 0xffffffffu); }
  static uint32_t GenerationOf(HandleId id) { return static_cast<uint32_t>(id >> 32); }

 private:
  static constexpr uint32_t kNoSlot = 0xffffffffu;
  struct Slot {
    void* value = nullptr;      // null while free
    uint32_t generation = 0;    // of the current (or next) owner; 1..kMaxGeneration
    uint32_t next_free = kNoSlot;
  };

  std::vector<Slot> slots_;
  uint32_t free_head_ = kNoSlot;
  size_t live_ = 0;
};

}  // namespace iocpnet

// ReceiveSlabs: reusable memory for received bytes handed to JS.
//
// Received bytes are copied into a slab (256 KiB) that consecutive batches
// keep filling. Each batch's run of bytes inside one slab becomes one
// external ArrayBuffer; a slab is recycled once every ArrayBuffer made over
// it has been finalized (JS dropped the last view) and it is no longer the
// slab being filled. Steady state therefore allocates nothing and touches
// memory that is already mapped: a fresh malloc'd slab per batch cost page
// faults and brk calls on every batch (glibc gives the heap top back when a
// large block is freed, and takes it again on the next malloc).
//
// Ownership: a slab counts its holders (`refs`): the pool while the slab is
// the one being filled, each Piece of the current batch, each ArrayBuffer
// made from a Piece, each write that sends bytes straight from it. The last holder to let go recycles it (pool alive) or
// frees it (pool gone: finalizers may run after env teardown released the
// pool). Single-threaded: napi runs finalizers on the environment's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include <node_api.h>

namespace iocpnet {
namespace bridge {

class ReceiveSlabs {
 public:
  static constexpr size_t kSlabSize = 256 * 1024;
  static constexpr size_t kMaxFreeSlabs = 8;  // kept for reuse beyond that are freed

  struct Slab {
    uint8_t* data;
    size_t capacity;
    size_t used;
    uint32_t refs;
    ReceiveSlabs* owner;  // null once the pool is gone
  };

  // A run of bytes of one batch inside one slab: becomes one ArrayBuffer.
  struct Piece {
    Slab* slab;
    size_t begin;
    size_t end;
  };

  ReceiveSlabs() = default;
  ~ReceiveSlabs() { Release(); }
  ReceiveSlabs(const ReceiveSlabs&) = delete;
  ReceiveSlabs& operator=(const ReceiveSlabs&) = delete;

  // Copies `size` bytes for the batch whose pieces are `pieces`; returns the
  // index of the piece holding them and their offset inside it. Throws
  // std::bad_alloc when out of memory.
  size_t Copy(std::vector<Piece>* pieces, const uint8_t* data, size_t size, size_t* offset) {
    Slab* slab = SlabWithRoom(size);
    if (pieces->empty() || pieces->back().slab != slab) {
      ++slab->refs;  // the piece's hold, passed on to its ArrayBuffer
      pieces->push_back(Piece{slab, slab->used, slab->used});
    }
    Piece& piece = pieces->back();
    std::memcpy(slab->data + slab->used, data, size);
    *offset = slab->used - piece.begin;
    slab->used += size;
    piece.end = slab->used;
    return pieces->size() - 1;
  }

  // Makes the ArrayBuffer of a piece; its hold on the slab moves to the
  // ArrayBuffer. On failure the piece still holds its slab: Drop() it.
  static bool Publish(napi_env env, Piece* piece, napi_value* out) {
    Slab* slab = piece->slab;
    if (napi_create_external_arraybuffer(env, slab->data + piece->begin, piece->end - piece->begin, OnFinalized,
                                         slab, out) != napi_ok) {
      return false;
    }
    piece->slab = nullptr;
    return true;
  }

  // The slab holding [data, data + size), or null: lets a write of bytes
  // received into a slab (an echo) keep the slab instead of pinning the JS
  // Buffer (a JS reference keeps the Buffer alive across scavenges, so it is
  // promoted and only a major GC frees it).
  Slab* Find(const uint8_t* data, size_t size) const {
    if (Holds(current_, data, size)) return current_;
    for (Slab* slab : all_) {
      if (slab->refs > 0 && Holds(slab, data, size)) return slab;
    }
    return nullptr;
  }

  // Holds taken by writes (see Find), released once the kernel is done.
  static void Ref(Slab* slab) { ++slab->refs; }
  static void Unref(Slab* slab) {
    if (--slab->refs != 0) return;
    if (slab->owner != nullptr) {
      slab->owner->Recycle(slab);
    } else {
      Free(slab);
    }
  }

  // Lets go of a piece that was not published (no-op once published).
  static void Drop(Piece* piece) {
    if (piece->slab != nullptr) Unref(piece->slab);
    piece->slab = nullptr;
  }

  // Env teardown: frees every slab nobody holds; the ones JS still holds are
  // freed by their last finalizer.
  void Release() {
    if (current_ != nullptr) {
      Slab* current = current_;
      current_ = nullptr;
      Unref(current);
    }
    for (Slab* slab : all_) {
      slab->owner = nullptr;
      if (slab->refs == 0) Free(slab);
    }
    all_.clear();
    free_.clear();
  }

 private:
  static void OnFinalized(napi_env /*env*/, void* /*data*/, void* hint) { Unref(static_cast<Slab*>(hint)); }

  static bool Holds(const Slab* slab, const uint8_t* data, size_t size) {
    if (slab == nullptr || data < slab->data) return false;
    size_t at = static_cast<size_t>(data - slab->data);
    return at <= slab->used && size <= slab->used - at;
  }

  static void Free(Slab* slab) {
    std::free(slab->data);
    delete slab;
  }

  void Recycle(Slab* slab) {
    slab->used = 0;
    if (slab->capacity == kSlabSize && free_.size() < kMaxFreeSlabs) {
      free_.push_back(slab);
      return;
    }
    for (size_t i = 0; i < all_.size(); ++i) {
      if (all_[i] == slab) {
        all_[i] = all_.back();
        all_.pop_back();
        break;
      }
    }
    Free(slab);
  }

  Slab* SlabWithRoom(size_t size) {
    if (current_ != nullptr && current_->capacity - current_->used >= size) return current_;
    Slab* next;
    if (size <= kSlabSize && !free_.empty()) {
      next = free_.back();
      free_.pop_back();
    } else {
      size_t capacity = size > kSlabSize ? size : kSlabSize;
      next = new Slab{nullptr, capacity, 0, 0, this};
      next->data = static_cast<uint8_t*>(std::malloc(capacity));
      if (next->data == nullptr) {
        delete next;
        throw std::bad_alloc();
      }
      all_.push_back(next);
    }
    next->refs = 1;  // the pool's hold while it is being filled
    Slab* previous = current_;
    current_ = next;
    if (previous != nullptr) Unref(previous);
    return next;
  }

  Slab* current_ = nullptr;
  std::vector<Slab*> all_;   // every slab with owner == this
  std::vector<Slab*> free_;  // refs == 0, ready for reuse
};

}  // namespace bridge
}  // namespace iocpnet

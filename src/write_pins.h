// WritePins: what an accepted write keeps alive until its kWritten event.
//
// Each write gets a slot holding its JS callback, the JS values whose memory
// the kernel may read (borrowed Buffers), and bytes the bridge encoded itself
// for it (large strings). The token handed to Backend::Write is
// generation << 32 | slot: O(1) to create, find and release, and a token from
// a recycled slot never matches (the engine delivers each token once anyway).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <deque>
#include <vector>

#include <napi.h>

namespace iocpnet {
namespace bridge {

class WritePins {
 public:
  WritePins() = default;
  WritePins(const WritePins&) = delete;
  WritePins& operator=(const WritePins&) = delete;

  // Opens a slot for a write whose completion calls `callback`.
  uint64_t Open(Napi::Function callback);
  // Keeps `value` (a Buffer / typed array) referenced until the slot is released.
  void Pin(uint64_t token, Napi::Value value);
  // Hands `bytes` to the slot: freed when the slot is released.
  void Own(uint64_t token, std::unique_ptr<uint8_t[]> bytes);

  // kWritten: releases every pin of the slot and returns its callback (a
  // local handle, valid in the caller's HandleScope); null for an unknown
  // token. Runs no JS and throws nothing.
  napi_value Complete(napi_env env, uint64_t token);
  // The write was rejected (no kWritten will come): release, drop the callback.
  void Cancel(uint64_t token);

  // Env teardown: releases every pin and callback without calling anything.
  void ReleaseAll();

  size_t open_count() const { return open_count_; }

 private:
  struct Slot {
    Napi::FunctionReference callback;
    std::vector<Napi::Reference<Napi::Value>> pins;
    std::vector<std::unique_ptr<uint8_t[]>> owned;
    uint32_t generation = 1;  // from 1: token 0 is no slot's (kCommittedToken)
    bool open = false;
  };

  Slot* Find(uint64_t token);
  void Release(uint32_t index);

  std::deque<Slot> slots_;  // grows without moving the slots it has
  std::vector<uint32_t> free_;  // indexes of closed slots, reused LIFO
  size_t open_count_ = 0;
};

}  // namespace bridge
}  // namespace iocpnet

// ReceiveBuffers: the JS Buffers a batch's received bytes are copied into.
//
// Received bytes are copied once, out of the engine's buffer (valid only
// during the event), into memory V8 allocates and manages, like node's own
// reads:
//   - a read of kOwnBufferMin bytes or more gets a Buffer of its own, made at
//     once (napi_create_buffer: uninitialized memory);
//   - smaller reads are copied back to back into one ArrayBuffer kept from
//     batch to batch (staging); JS copies each chunk out of it at once into
//     a Buffer from node's pool, as Buffer.from does (lib/engine.ts,
//     receivedBytes), so the next batch may overwrite it. Making a new
//     ArrayBuffer for each batch instead took ~0.2 us more per batch (its
//     backing store's malloc and its tracking by V8), and a batch of one
//     small read is what a sequential request/response waits for.
// Why not external ArrayBuffers over reused native slabs (the first design):
// node tracks each external ArrayBuffer with a weak handle, and V8's
// scavenger treats weak handles as strong, so every received byte was
// promoted and waited for a mark-compact (one per ~64 MB received at 1,000
// connections). A managed Buffer that JS drops dies in the next scavenge.
//
// Where the backend reads on the JS thread (epoll), it reads into a slab this
// class lends (EventSink::LendReceiveMemory): a read of kAdoptMin bytes or
// more then becomes its chunk's Buffer as it is, with no copy (a view of
// the slab's first bytes, so at most half of it is unused), and the next
// receive gets a new slab; a smaller read is copied out as above and the
// slab is lent again. An unused slab is kept (a reference) for the next
// batch, so small-message batches allocate none.
//
// Indexes in the batch: 0 is the staging ArrayBuffer, 1.. the own Buffers.
// Publish gives the staging ArrayBuffer alone when there are no own Buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <node_api.h>

namespace iocpnet {
namespace bridge {

class ReceiveBuffers {
 public:
  static constexpr size_t kOwnBufferMin = 4096;
  static constexpr uint32_t kSmallIndex = 0;
  static constexpr size_t kMaxKeptStaging = 1024 * 1024;
  static constexpr size_t kSlabSize = 64 * 1024;  // node's read size too
  static constexpr size_t kAdoptMin = kSlabSize / 2;

  explicit ReceiveBuffers(napi_env env) : env_(env) {}

  // Starts a batch (inside the HandleScope that lasts until the JS call).
  void Begin();

  // Copies `size` bytes; sets the index of the Buffer holding them and their
  // offset in it. False if no Buffer could be made (the environment is
  // shutting down): the batch cannot be delivered then.
  bool Copy(const uint8_t* data, size_t size, uint32_t* index, size_t* offset);

  // The slab the next receive may fill (nullptr if none could be made).
  uint8_t* Lend(size_t* capacity);

  // The batch's Buffers as a JS array (undefined when nothing was received).
  bool Publish(napi_value* buffers);

  // Env teardown: lets go of staged bytes.
  void Release();

 private:
  napi_env env_;
  std::vector<napi_value> own_;    // this batch's own Buffers (local handles)
  size_t staged_ = 0;              // bytes of this batch's small reads in staging
  bool failed_ = false;
  napi_ref slab_ref_ = nullptr;      // the slab, held until a read adopts it
  uint8_t* slab_memory_ = nullptr;   // its bytes (valid while slab_ref_ holds it)
  napi_ref staging_ref_ = nullptr;   // where JS finds the small reads (rewritten by each batch)
  uint8_t* staging_memory_ = nullptr;
  size_t staging_size_ = 0;

  // Staging of at least `size` bytes, keeping what this batch staged.
  bool ReserveStaging(size_t size);
  void DropStaging();
};

}  // namespace bridge
}  // namespace iocpnet

// EventBatch: the EventSink that turns one Drain() into one JS call.
//
// Each event becomes a record of kRecordFields doubles, handed to JS in a
// Float64Array it reads in place (reused from batch to batch, grown when a
// batch needs more):
//   [kind, handle, status, aux, offset, size]
//   aux:  kConnection -> peer handle
//         kData       -> index of the Buffer (in `buffers`) holding the bytes
//         kWritten    -> index of the write's callback in the batch's callbacks,
//                        or -1 for a committed write that failed (no callback)
//   offset, size: kData bytes inside their Buffer.
// Received bytes are copied once, from the engine's buffer (valid only during
// OnEvent) into JS Buffers (receive_buffers.h), so the engine can recycle its
// buffer at once.
//
// OnEvent runs inside Drain(): nothing may be thrown through the engine, and
// JS may be unable to run (a worker being terminated). The only JS values it
// makes are receive Buffers, whose failure drops the batch; the rest of the
// JS arguments are made afterwards by Publish(), which reports failure
// instead of throwing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <node_api.h>

#include "backend.h"
#include "receive_buffers.h"
#include "write_pins.h"

namespace iocpnet {
namespace bridge {

class EventBatch final : public EventSink {
 public:
  static constexpr size_t kRecordFields = 6;

  EventBatch(napi_env env, WritePins* pins);
  ~EventBatch() override;
  EventBatch(const EventBatch&) = delete;
  EventBatch& operator=(const EventBatch&) = delete;

  // Starts a batch. Must run inside a HandleScope that lasts until the JS
  // call: write callbacks are held as local handles until Publish.
  void Begin();
  void OnEvent(const Event& event) override;
  size_t count() const { return count_; }

  // The JS arguments of the batch call: records (Float64Array), buffers
  // (Array of Buffer, or undefined), callbacks (Array of Function, or
  // undefined). False if JS values cannot be made (the environment is
  // shutting down): the batch is then dropped.
  bool Publish(napi_value* records, napi_value* buffers, napi_value* callbacks);

  // Env teardown: drop the records array reference and any staged bytes.
  void Release();

 private:
  void Record(const Event& event);
  bool PublishRecords(napi_value* records);
  bool PublishCallbacks(napi_value* callbacks);

  napi_env env_;
  WritePins* pins_;
  std::vector<double> pending_;          // this batch's records, copied to JS by Publish
  std::vector<napi_value> callbacks_;    // this batch's write callbacks (local handles)
  ReceiveBuffers received_;             // this batch's received bytes
  size_t count_ = 0;
  napi_ref records_ref_ = nullptr;       // the Float64Array JS reads
  double* records_ = nullptr;            // its backing store (V8 keeps it in place)
  size_t capacity_ = 0;                  // in records
};

}  // namespace bridge
}  // namespace iocpnet

// SendQueue: one connection's accepted writes, in order, until the kernel has
// taken their bytes (rules 1-3 of docs/DESIGN.md).
//
// Bytes are runs (segments) inside pooled copy chunks (small writes, copied
// at Append so the caller may reuse its memory at once) or borrowed from the
// caller (large writes, valid until their write completes). Contiguous copies
// extend the last segment: many small writes of a turn become one buffer of
// one gathered send. Gather() hands the front of the queue to the backend as
// an array of IoBuffer (iovec or WSABUF); those segments are "in flight" and
// never touched until Acknowledge()/EndSend() (rule 2).
//
// Each write is a record: its token and the byte offset (in the
// connection's output stream) where it ends. A write is done when the kernel
// has taken every byte up to that offset. "Committed" writes were already
// reported done to the user (see Backend::Write): they form a prefix of the
// queue, and their completion is reported only if it fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "backend.h"
#include "buffer_pool.h"
#include "platform/io_buffer.h"
#include "ring_queue.h"

namespace iocpnet {

class SendQueue {
 public:
  // The pool copies go into (one per backend): chunk size and how many
  // released chunks it keeps for reuse.
  static constexpr size_t kChunkSize = 64 * 1024;
  static constexpr size_t kCachedChunks = 256;

  SendQueue() = default;
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  // Queues one write: its slices' bytes and its token.
  void Append(BufferPool& pool, const WriteSlice* slices, size_t count, uint64_t token, bool committed);
  // Counts bytes the kernel took outside the queue (a synchronous send made
  // while the queue was empty), so offsets stay right.
  void SentDirectly(size_t bytes);

  // The front of the queue (at most `max_buffers` buffers, and only bytes
  // before `limit` in the output stream) as buffers for one gathered send;
  // they are in flight from now on. Returns the buffer count (0: nothing
  // to send). The array stays valid until the next Gather.
  size_t Gather(size_t max_buffers, uint64_t limit, IoBuffer** buffers);
  // The gathered send finished (whatever it sent was Acknowledge()d).
  void EndSend() { inflight_segments_ = 0; }
  bool sending() const { return inflight_segments_ > 0; }

  // The kernel took `bytes` from the front: calls done(token, committed) for
  // each write that is now complete, in order.
  template <typename Done>
  void Acknowledge(BufferPool& pool, size_t bytes, Done done);
  // Writes whose bytes are all sent but not yet reported (zero-byte writes).
  template <typename Done>
  void CompleteSent(Done done);
  // Drops every queued byte and calls failed(token, committed) for every unfinished
  // write, in order. Never with a send in flight (its buffers are the
  // kernel's until it completes).
  template <typename Failed>
  void FailAll(BufferPool& pool, Failed failed);

  bool has_writes() const { return !writes_.empty(); }
  bool has_bytes() const { return !segments_.empty(); }
  uint64_t queued_bytes() const { return appended_ - acked_; }
  uint64_t acked() const { return acked_; }
  uint64_t committed_end() const { return committed_end_; }
  // Bytes of committed writes the kernel has not taken yet.
  uint64_t committed_unsent() const { return committed_end_ > acked_ ? committed_end_ - acked_ : 0; }

  // Empties the queue for the connection's next owner, keeping its storage.
  void Reset(BufferPool& pool);
  // Frees the storage too (when the connection is destroyed).
  void Release(BufferPool& pool);

 private:
  // A run of bytes waiting to be sent: inside a pooled copy chunk (chunk !=
  // null) or borrowed from the caller (chunk == null).
  struct Segment {
    const uint8_t* data = nullptr;
    size_t size = 0;
    uint8_t* chunk = nullptr;
  };
  struct WriteRecord {
    uint64_t token = 0;
    uint64_t end = 0;  // offset just after the write's last byte
    bool committed = false;
  };
  static constexpr size_t kInlineBuffers = 4;

  void Copy(BufferPool& pool, const uint8_t* data, size_t size);
  void ReleaseSegment(BufferPool& pool, const Segment& segment);
  void DropAll(BufferPool& pool);

  RingQueue<Segment> segments_;  // the first inflight_segments_ are in the send in flight
  RingQueue<WriteRecord> writes_;
  size_t inflight_segments_ = 0;
  uint64_t appended_ = 0;        // bytes accepted
  uint64_t acked_ = 0;           // bytes the kernel took
  uint64_t committed_end_ = 0;   // end of the last committed write
  uint8_t* tail_chunk_ = nullptr;  // copy chunk being filled
  size_t tail_used_ = 0;
  // Gather's array: most sends gather a few segments, which fit inline, so an
  // idle connection that once wrote holds no large array.
  IoBuffer inline_buffers_[kInlineBuffers];
  std::vector<IoBuffer> heap_buffers_;
};

template <typename Done>
void SendQueue::Acknowledge(BufferPool& pool, size_t bytes, Done done) {
  acked_ += bytes;
  while (bytes > 0 && !segments_.empty()) {
    Segment& front = segments_.front();
    size_t n = bytes < front.size ? bytes : front.size;
    front.data += n;
    front.size -= n;
    bytes -= n;
    if (front.size == 0) {
      ReleaseSegment(pool, front);
      segments_.pop_front();
      if (inflight_segments_ > 0) --inflight_segments_;
    }
  }
  CompleteSent(done);
}

template <typename Done>
void SendQueue::CompleteSent(Done done) {
  while (!writes_.empty() && writes_.front().end <= acked_) {
    WriteRecord record = writes_.front();
    writes_.pop_front();
    done(record.token, record.committed);
  }
}

template <typename Failed>
void SendQueue::FailAll(BufferPool& pool, Failed failed) {
  DropAll(pool);
  while (!writes_.empty()) {
    WriteRecord record = writes_.front();
    writes_.pop_front();
    failed(record.token, record.committed);
  }
  acked_ = appended_;
}

}  // namespace iocpnet

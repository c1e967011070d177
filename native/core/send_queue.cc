#include "core/send_queue.h"

#include <cstdlib>
#include <cstring>

namespace iocpnet {

namespace {

// The chunk's segment count lives in its first bytes; the data starts at a
// cache line.
constexpr size_t kChunkHeader = 64;

uint32_t& ChunkRefs(uint8_t* chunk) { return *reinterpret_cast<uint32_t*>(chunk); }

}  // namespace

void SendQueue::Append(BufferPool& pool, const WriteSlice* slices, size_t count, uint64_t token, bool committed) {
  for (size_t i = 0; i < count; ++i) {
    const WriteSlice& slice = slices[i];
    if (slice.size == 0) continue;
    if (slice.borrowed) {
      segments_.push_back(Segment{slice.data, slice.size, nullptr});
    } else {
      Copy(pool, slice.data, slice.size);
    }
    appended_ += slice.size;
  }
  writes_.push_back(WriteRecord{token, appended_, committed});
  if (committed) committed_end_ = appended_;
}

void SendQueue::SentDirectly(size_t bytes) {
  appended_ += bytes;
  acked_ += bytes;
}

void SendQueue::Copy(BufferPool& pool, const uint8_t* data, size_t size) {
  while (size > 0) {
    if (tail_chunk_ == nullptr) {
      tail_chunk_ = pool.Acquire();
      if (tail_chunk_ == nullptr) std::abort();  // out of memory
      ChunkRefs(tail_chunk_) = 0;
      tail_used_ = kChunkHeader;
    }
    size_t room = pool.buffer_size() - tail_used_;
    size_t n = size < room ? size : room;
    uint8_t* destination = tail_chunk_ + tail_used_;
    std::memcpy(destination, data, n);
    // Extend the last queued segment when the copy is contiguous with it and
    // it is not part of the send in flight (rule 1: coalesce).
    bool extended = false;
    if (segments_.size() > inflight_segments_) {
      Segment& last = segments_.back();
      if (last.chunk == tail_chunk_ && last.data + last.size == destination) {
        last.size += n;
        extended = true;
      }
    }
    if (!extended) {
      segments_.push_back(Segment{destination, n, tail_chunk_});
      ++ChunkRefs(tail_chunk_);
    }
    tail_used_ += n;
    if (tail_used_ == pool.buffer_size()) tail_chunk_ = nullptr;  // full; its segments keep it
    data += n;
    size -= n;
  }
}

size_t SendQueue::Gather(size_t max_buffers, uint64_t limit, IoBuffer** buffers) {
  size_t n = segments_.size() < max_buffers ? segments_.size() : max_buffers;
  IoBuffer* out = inline_buffers_;
  if (n > kInlineBuffers) {
    if (heap_buffers_.size() < n) heap_buffers_.resize(n);
    out = heap_buffers_.data();
  }
  uint64_t offset = acked_;
  size_t filled = 0;
  for (size_t i = 0; i < n && offset < limit; ++i) {
    const Segment& segment = segments_[i];
    size_t size = segment.size;
    if (size > kMaxIoBufferBytes) size = kMaxIoBufferBytes;
    if (offset + size > limit) size = static_cast<size_t>(limit - offset);
    SetIoBuffer(&out[filled++], segment.data, size);
    offset += size;
    if (size < segment.size) break;  // the rest of this segment goes next time
  }
  inflight_segments_ = filled;
  *buffers = out;
  return filled;
}

void SendQueue::ReleaseSegment(BufferPool& pool, const Segment& segment) {
  if (segment.chunk == nullptr) return;
  if (--ChunkRefs(segment.chunk) == 0) {
    if (segment.chunk == tail_chunk_) tail_chunk_ = nullptr;
    pool.Release(segment.chunk);
  }
}

void SendQueue::DropAll(BufferPool& pool) {
  while (!segments_.empty()) {
    ReleaseSegment(pool, segments_.front());
    segments_.pop_front();
  }
  if (tail_chunk_ != nullptr && ChunkRefs(tail_chunk_) == 0) pool.Release(tail_chunk_);
  tail_chunk_ = nullptr;
  inflight_segments_ = 0;
}

void SendQueue::Reset(BufferPool& pool) {
  DropAll(pool);
  writes_.clear();
  appended_ = acked_ = committed_end_ = 0;
}

void SendQueue::Release(BufferPool& pool) {
  Reset(pool);
  segments_.reset();
  writes_.reset();
  std::vector<IoBuffer>().swap(heap_buffers_);
}

}  // namespace iocpnet

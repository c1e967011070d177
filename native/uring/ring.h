// Ring: a thin io_uring layer over raw syscalls (no liburing). Owns the ring
// fd, the mmapped SQ/CQ rings and SQE array, and provided-buffer rings.
// Single-threaded: used only by the backend's owner thread.
#pragma once

#include <linux/io_uring.h>
#include <linux/time_types.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace iocpnet {
namespace uring {

class Ring {
 public:
  Ring() = default;
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // io_uring_setup + mmap + feature checks (Linux >= 6.1 features: multishot
  // accept/recv, provided-buffer rings). Completion work is cooperative, so
  // the ring fd is readable exactly while the CQ holds entries (ring.cc says
  // why not DEFER_TASKRUN). Returns 0 or -errno and a sentence in *why.
  int Init(uint32_t sq_entries, uint32_t cq_entries, std::string* why);

  // A zeroed SQE to fill, or null when the SQ is full even after submitting
  // what was queued.
  io_uring_sqe* GetSqe();
  // Submits every SQE queued since the last Submit. Returns the number of
  // SQEs the kernel took or -errno (EBUSY/EAGAIN: try again next turn).
  int Submit();
  unsigned Pending() const { return sq_tail_local_ - sq_submitted_; }

  // Next unconsumed CQE or null. Consume() releases it to the kernel.
  io_uring_cqe* PeekCqe();
  void Consume();
  // True when the kernel holds overflowed CQEs (IORING_FEAT_NODROP); call
  // FlushOverflow() to move them into the CQ ring.
  bool CqOverflowed() const;
  void FlushOverflow();

  // Blocks until a CQE is available or `timeout_ms` passes (teardown only).
  void WaitForCompletion(unsigned timeout_ms);

  // Submits what is queued and blocks until at least one CQE is available
  // (used only during setup). Returns 0 or -errno.
  int SubmitAndWait();

  int fd() const { return ring_fd_; }
  uint32_t features() const { return features_; }

 private:
  void Unmap();

  int ring_fd_ = -1;
  uint32_t features_ = 0;

  void* sq_ring_ = nullptr;
  size_t sq_ring_size_ = 0;
  void* cq_ring_ = nullptr;  // same mapping as sq_ring_ with IORING_FEAT_SINGLE_MMAP
  size_t cq_ring_size_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqes_size_ = 0;

  unsigned* sq_head_ = nullptr;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_flags_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned sq_entries_ = 0;
  unsigned sq_tail_local_ = 0;   // next SQE slot we will fill
  unsigned sq_submitted_ = 0;    // tail value last handed to the kernel

  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
};

// One small prep helper per operation, as liburing has (GetSqe hands out a
// zeroed SQE, so each sets only the fields its operation reads).

// Accepts until cancelled (one CQE per connection, IORING_CQE_F_MORE).
inline void PrepMultishotAccept(io_uring_sqe* sqe, int fd, uint64_t user_data) {
  sqe->opcode = IORING_OP_ACCEPT;
  sqe->fd = fd;
  sqe->ioprio = IORING_ACCEPT_MULTISHOT;
  sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  sqe->user_data = user_data;
}

// One receive into a buffer the kernel picks from provided-buffer group
// `group` (IORING_CQE_F_BUFFER, id in cqe->flags >> IORING_CQE_BUFFER_SHIFT).
inline void PrepReceiveSelect(io_uring_sqe* sqe, int fd, uint16_t group, uint64_t user_data) {
  sqe->opcode = IORING_OP_RECV;
  sqe->fd = fd;
  sqe->flags = IOSQE_BUFFER_SELECT;
  sqe->buf_group = group;
  sqe->user_data = user_data;
}

// A read(2)-style receive with buffer selection (used on a pipe to probe).
inline void PrepReadSelect(io_uring_sqe* sqe, int fd, uint32_t length, uint16_t group, uint64_t user_data) {
  sqe->opcode = IORING_OP_READ;
  sqe->fd = fd;
  sqe->flags = IOSQE_BUFFER_SELECT;
  sqe->buf_group = group;
  sqe->len = length;
  sqe->off = static_cast<uint64_t>(-1);
  sqe->user_data = user_data;
}

inline void PrepSendmsg(io_uring_sqe* sqe, int fd, const msghdr* message, uint32_t msg_flags, uint64_t user_data) {
  sqe->opcode = IORING_OP_SENDMSG;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(message);
  sqe->len = 1;
  sqe->msg_flags = msg_flags;
  sqe->user_data = user_data;
}

// Completes once `fd` is writable (or failed): a non-blocking connect done.
inline void PrepPollWritable(io_uring_sqe* sqe, int fd, uint64_t user_data) {
  sqe->opcode = IORING_OP_POLL_ADD;
  sqe->fd = fd;
  sqe->poll32_events = POLLOUT;
  sqe->user_data = user_data;
}

// Completes once `fd` is readable: for a listener, a connection is pending.
inline void PrepPollReadable(io_uring_sqe* sqe, int fd, uint64_t user_data) {
  sqe->opcode = IORING_OP_POLL_ADD;
  sqe->fd = fd;
  sqe->poll32_events = POLLIN;
  sqe->user_data = user_data;
}

// Cancels the operation posted with `target` as its user_data.
inline void PrepCancel(io_uring_sqe* sqe, uint64_t target, uint64_t user_data) {
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = -1;
  sqe->addr = target;
  sqe->user_data = user_data;
}

// Cancels every operation on `fd`.
inline void PrepCancelFd(io_uring_sqe* sqe, int fd, uint64_t user_data) {
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = fd;
  sqe->cancel_flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
  sqe->user_data = user_data;
}

// A timer (completes with -ETIME). The kernel copies *spec at submission.
inline void PrepTimeout(io_uring_sqe* sqe, const __kernel_timespec* spec, uint64_t user_data) {
  sqe->opcode = IORING_OP_TIMEOUT;
  sqe->fd = -1;
  sqe->addr = reinterpret_cast<uint64_t>(spec);
  sqe->len = 1;
  sqe->off = 0;  // a pure timer: not "after N completions"
  sqe->user_data = user_data;
}

// Moves the timer posted with `target` as its user_data to *spec from now.
inline void PrepTimeoutUpdate(io_uring_sqe* sqe, uint64_t target, const __kernel_timespec* spec, uint64_t user_data) {
  sqe->opcode = IORING_OP_TIMEOUT_REMOVE;
  sqe->fd = -1;
  sqe->addr = target;
  sqe->addr2 = reinterpret_cast<uint64_t>(spec);
  sqe->timeout_flags = IORING_TIMEOUT_UPDATE;
  sqe->user_data = user_data;
}

inline void PrepNop(io_uring_sqe* sqe, uint64_t user_data) {
  sqe->opcode = IORING_OP_NOP;
  sqe->user_data = user_data;
}

// Hands `count` buffers of `size` bytes at `memory` (ids first_id...) to
// provided-buffer group `group` (the classic, non-ring-mapped way).
inline void PrepProvideBuffers(io_uring_sqe* sqe, void* memory, uint32_t size, uint32_t count, uint16_t group,
                               uint16_t first_id, uint64_t user_data) {
  sqe->opcode = IORING_OP_PROVIDE_BUFFERS;
  sqe->fd = static_cast<int>(count);
  sqe->addr = reinterpret_cast<uint64_t>(memory);
  sqe->len = size;
  sqe->off = first_id;
  sqe->buf_group = group;
  sqe->user_data = user_data;
}

// Provided receive buffers: up to `count` buffers of `size` bytes in one
// mapping, handed to the kernel as needed (see Init/Grow). The kernel picks one per receive
// (IORING_CQE_F_BUFFER, id in cqe->flags >> IORING_CQE_BUFFER_SHIFT);
// Return() + Publish() give it back.
//
// Preferred mechanism: a ring-mapped buffer ring (IORING_REGISTER_PBUF_RING),
// where giving buffers back is a store into shared memory. Init verifies that
// the kernel actually selects from it (one probe read); some kernels/VMs
// register the ring but never hand out its buffers (every receive fails with
// ENOBUFS), and there Init falls back to classic IORING_OP_PROVIDE_BUFFERS,
// batching returned buffers into one SQE per run of consecutive ids (posted
// with IOSQE_CQE_SKIP_SUCCESS, so they complete silently).
class BufferRing {
 public:
  BufferRing() = default;
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  // `count` must be a power of two <= 32768. Must run before any other op is
  // posted on `ring`. `provide_user_data` tags PROVIDE_BUFFERS SQEs (their
  // CQEs only appear on failure). Returns 0 or -errno.
  // Only `initial` buffers (<= count) circulate at first; Grow() adds more
  // when receives run dry, so memory that is never needed is never touched.
  // `allow_ring_mapped` false forces the PROVIDE_BUFFERS fallback (tests).
  int Init(Ring* ring, uint16_t group_id, uint32_t count, uint32_t size, uint64_t provide_user_data,
           uint32_t initial, bool allow_ring_mapped = true);
  // Puts up to `circulating()` more buffers (never beyond count) into
  // circulation; returns how many were added (0 when all already circulate).
  uint32_t Grow();
  uint32_t circulating() const { return circulating_; }

  uint8_t* Buffer(uint16_t id) const { return memory_ + static_cast<size_t>(id) * size_; }
  // Queues buffer `id` to go back to the kernel; Publish() makes the queued
  // ones visible (one release store, or PROVIDE_BUFFERS SQEs in the fallback).
  void Return(uint16_t id);
  void Publish();

  bool ring_mapped() const { return ring_mapped_; }
  uint16_t group_id() const { return group_id_; }
  uint32_t count() const { return count_; }
  uint32_t size() const { return size_; }

 private:
  int RegisterRing();
  void UnregisterRing();
  bool ProbeRingSelects();
  int ProvideInitial();

  Ring* ring_ = nullptr;
  uint16_t group_id_ = 0;
  uint32_t count_ = 0;
  uint32_t size_ = 0;
  uint64_t provide_user_data_ = 0;
  // The ring is an array of io_uring_buf starting at offset 0. (The uapi's
  // io_uring_buf_ring::bufs must not be used from C++: there its flexible
  // array sits after an empty struct, i.e. at offset 8, not 0.)
  io_uring_buf* RingEntries() const { return reinterpret_cast<io_uring_buf*>(ring_memory_); }
  uint8_t* ring_memory_ = nullptr;
  size_t ring_memory_size_ = 0;
  uint8_t* memory_ = nullptr;
  size_t memory_size_ = 0;
  uint16_t tail_ = 0;  // local tail, published by Publish()
  bool registered_ = false;
  bool ring_mapped_ = false;
  uint16_t* pending_ = nullptr;  // fallback: ids returned since the last Publish
  uint32_t pending_count_ = 0;
  uint32_t circulating_ = 0;  // buffers [0, circulating_) have been handed out
};

}  // namespace uring
}  // namespace iocpnet

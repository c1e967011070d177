#include "uring/ring.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace iocpnet {
namespace uring {

namespace {

// ASan may hold stale shadow for address ranges it used and unmapped before;
// memory we mmap ourselves is plain, addressable memory.
void MarkAddressable(void* memory, size_t size) {
#if defined(__SANITIZE_ADDRESS__)
  ASAN_UNPOISON_MEMORY_REGION(memory, size);
#else
  (void)memory;
  (void)size;
#endif
}

int SysSetup(unsigned entries, io_uring_params* params) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, params));
}

int SysEnter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) {
  return static_cast<int>(syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, nullptr, 0));
}

int SysRegister(int fd, unsigned opcode, const void* arg, unsigned nr_args) {
  return static_cast<int>(syscall(__NR_io_uring_register, fd, opcode, arg, nr_args));
}

unsigned LoadAcquire(const unsigned* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void StoreRelease(unsigned* p, unsigned v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

template <typename T>
T* At(void* base, uint32_t offset) {
  return reinterpret_cast<T*>(static_cast<uint8_t*>(base) + offset);
}

const char kNeedKernel[] = "io_uring needs Linux >= 6.1 (multishot accept/recv, provided-buffer rings)";

}  // namespace

Ring::~Ring() {
  Unmap();
  if (ring_fd_ >= 0) close(ring_fd_);
}

void Ring::Unmap() {
  if (sqes_ != nullptr) munmap(sqes_, sqes_size_);
  if (cq_ring_ != nullptr && cq_ring_ != sq_ring_) munmap(cq_ring_, cq_ring_size_);
  if (sq_ring_ != nullptr) munmap(sq_ring_, sq_ring_size_);
  sqes_ = nullptr;
  cq_ring_ = nullptr;
  sq_ring_ = nullptr;
}

int Ring::Init(uint32_t sq_entries, uint32_t cq_entries, std::string* why) {
  io_uring_params params;
  // Completion work (e.g. a recv whose data arrived) runs in our thread.
  // COOP_TASKRUN (5.19): it is queued on the task with TIF_NOTIFY_SIGNAL set
  // and the task woken from any interruptible sleep (epoll_wait included);
  // it runs on the way back to user space and posts its CQEs, which make
  // the ring fd readable. TASKRUN_FLAG shows pending work in the SQ flags.
  //
  // DEFER_TASKRUN is not used, because it cannot wake us reliably. Deferred
  // work runs only when we ask for events, and the only notice of new work
  // is an eventfd registered with the ring. On Linux 6.18 that signal, when
  // raised from the network receive path (a peer's send running our socket's
  // wake-up in its softirq), is not sent at once but through an RCU callback
  // (io_eventfd_do_signal from rcu_do_batch, seen with ftrace): the process
  // sat in epoll_wait for 8-32 ms while the reply waited in the kernel, on
  // almost every idle round trip. (Since 6.13 the kernel also runs at most 20
  // deferred items per call and keeps the rest with IORING_SQ_TASKRUN
  // cleared and no new signal.) Under load something else always woke the
  // loop, so only a peer in another process, idle between messages, showed
  // it: see native/test/wakeup_test.cc. Rule 15 of docs/DESIGN.md.
  const uint32_t base_flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL;
  const uint32_t cooperative = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  int fd = -1;
  for (uint32_t flags : {base_flags | cooperative, base_flags}) {
    std::memset(&params, 0, sizeof(params));
    params.flags = flags;
    params.cq_entries = cq_entries;
    fd = SysSetup(sq_entries, &params);
    if (fd >= 0 || errno != EINVAL) break;
  }
  if (fd < 0) {
    int err = errno;
    if (err == ENOSYS) {
      *why = "io_uring is not available: the kernel lacks it (needs Linux >= 6.1)";
    } else if (err == EPERM || err == EACCES) {
      *why = "io_uring is disabled here (sysctl kernel.io_uring_disabled, seccomp or a container policy)";
    } else if (err == EINVAL) {
      *why = std::string(kNeedKernel) + ": io_uring_setup rejected the ring parameters";
    } else {
      *why = std::string("io_uring_setup failed: ") + std::strerror(err);
    }
    return -err;
  }
  ring_fd_ = fd;
  features_ = params.features;

  const uint32_t required = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE |
                            IORING_FEAT_FAST_POLL | IORING_FEAT_EXT_ARG | IORING_FEAT_CQE_SKIP;
  if ((features_ & required) != required) {
    *why = kNeedKernel;
    return -ENOSYS;
  }

  sq_ring_size_ = params.sq_off.array + params.sq_entries * sizeof(unsigned);
  cq_ring_size_ = params.cq_off.cqes + params.cq_entries * sizeof(io_uring_cqe);
  if (cq_ring_size_ > sq_ring_size_) sq_ring_size_ = cq_ring_size_;
  sq_ring_ = mmap(nullptr, sq_ring_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  if (sq_ring_ == MAP_FAILED) {
    sq_ring_ = nullptr;
    int err = errno;
    *why = std::string("io_uring ring mmap failed: ") + std::strerror(err);
    return -err;
  }
  MarkAddressable(sq_ring_, sq_ring_size_);
  cq_ring_ = sq_ring_;  // IORING_FEAT_SINGLE_MMAP (checked above)
  cq_ring_size_ = sq_ring_size_;
  sqes_size_ = params.sq_entries * sizeof(io_uring_sqe);
  void* sqes = mmap(nullptr, sqes_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) {
    int err = errno;
    *why = std::string("io_uring SQE mmap failed: ") + std::strerror(err);
    return -err;
  }
  sqes_ = static_cast<io_uring_sqe*>(sqes);
  MarkAddressable(sqes_, sqes_size_);

  sq_head_ = At<unsigned>(sq_ring_, params.sq_off.head);
  sq_tail_ = At<unsigned>(sq_ring_, params.sq_off.tail);
  sq_flags_ = At<unsigned>(sq_ring_, params.sq_off.flags);
  sq_mask_ = *At<unsigned>(sq_ring_, params.sq_off.ring_mask);
  sq_entries_ = *At<unsigned>(sq_ring_, params.sq_off.ring_entries);
  unsigned* array = At<unsigned>(sq_ring_, params.sq_off.array);
  for (unsigned i = 0; i < sq_entries_; ++i) array[i] = i;  // identity: SQE i at slot i
  sq_tail_local_ = sq_submitted_ = *sq_tail_;

  cq_head_ = At<unsigned>(cq_ring_, params.cq_off.head);
  cq_tail_ = At<unsigned>(cq_ring_, params.cq_off.tail);
  cq_mask_ = *At<unsigned>(cq_ring_, params.cq_off.ring_mask);
  cqes_ = At<io_uring_cqe>(cq_ring_, params.cq_off.cqes);

  // Opcode probe: everything the backend posts, plus SEND_ZC as the marker of
  // a 6.0+ kernel (multishot recv arrived with it).
  std::vector<uint8_t> probe_memory(sizeof(io_uring_probe) + 256 * sizeof(io_uring_probe_op), 0);
  io_uring_probe* probe = reinterpret_cast<io_uring_probe*>(probe_memory.data());
  if (SysRegister(fd, IORING_REGISTER_PROBE, probe, 256) < 0) {
    *why = kNeedKernel;
    return -ENOSYS;
  }
  const uint8_t needed[] = {IORING_OP_NOP,     IORING_OP_SENDMSG,        IORING_OP_RECV,
                            IORING_OP_ACCEPT,  IORING_OP_POLL_ADD,       IORING_OP_ASYNC_CANCEL,
                            IORING_OP_TIMEOUT, IORING_OP_TIMEOUT_REMOVE, IORING_OP_READ,
                            IORING_OP_PROVIDE_BUFFERS, IORING_OP_SEND_ZC};
  for (uint8_t op : needed) {
    if (op > probe->last_op || !(probe->ops[op].flags & IO_URING_OP_SUPPORTED)) {
      *why = kNeedKernel;
      return -ENOSYS;
    }
  }
  return 0;
}

io_uring_sqe* Ring::GetSqe() {
  unsigned head = LoadAcquire(sq_head_);
  if (sq_tail_local_ - head >= sq_entries_) {
    Submit();
    head = LoadAcquire(sq_head_);
    if (sq_tail_local_ - head >= sq_entries_) return nullptr;
  }
  io_uring_sqe* sqe = &sqes_[sq_tail_local_ & sq_mask_];
  ++sq_tail_local_;
  std::memset(sqe, 0, sizeof(*sqe));
  return sqe;
}

int Ring::Submit() {
  if (sq_tail_local_ != sq_submitted_) {
    StoreRelease(sq_tail_, sq_tail_local_);
    sq_submitted_ = sq_tail_local_;
  }
  unsigned head = LoadAcquire(sq_head_);
  unsigned to_submit = sq_tail_local_ - head;
  if (to_submit == 0 && !CqOverflowed()) return 0;
  unsigned flags = CqOverflowed() ? IORING_ENTER_GETEVENTS : 0;
  int result;
  do {
    result = SysEnter(ring_fd_, to_submit, 0, flags);
  } while (result < 0 && errno == EINTR);
  return result < 0 ? -errno : result;
}

io_uring_cqe* Ring::PeekCqe() {
  unsigned head = *cq_head_;
  if (head == LoadAcquire(cq_tail_)) return nullptr;
  return &cqes_[head & cq_mask_];
}

void Ring::Consume() { StoreRelease(cq_head_, *cq_head_ + 1); }

bool Ring::CqOverflowed() const { return (LoadAcquire(sq_flags_) & IORING_SQ_CQ_OVERFLOW) != 0; }

void Ring::FlushOverflow() {
  int result;
  do {
    result = SysEnter(ring_fd_, 0, 0, IORING_ENTER_GETEVENTS);
  } while (result < 0 && errno == EINTR);
}

void Ring::WaitForCompletion(unsigned timeout_ms) {
  __kernel_timespec timeout;
  timeout.tv_sec = timeout_ms / 1000;
  timeout.tv_nsec = static_cast<long long>(timeout_ms % 1000) * 1000000;
  io_uring_getevents_arg arg;
  std::memset(&arg, 0, sizeof(arg));
  arg.ts = reinterpret_cast<uint64_t>(&timeout);
  // Returns at the first CQE, at the timeout (ETIME) or on a signal (EINTR):
  // the caller loops either way.
  syscall(__NR_io_uring_enter, ring_fd_, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
}

int Ring::SubmitAndWait() {
  if (sq_tail_local_ != sq_submitted_) {
    StoreRelease(sq_tail_, sq_tail_local_);
    sq_submitted_ = sq_tail_local_;
  }
  unsigned to_submit = sq_tail_local_ - LoadAcquire(sq_head_);
  int result;
  do {
    result = SysEnter(ring_fd_, to_submit, 1, IORING_ENTER_GETEVENTS);
  } while (result < 0 && errno == EINTR);
  return result < 0 ? -errno : 0;
}

BufferRing::~BufferRing() {
  UnregisterRing();
  if (ring_memory_ != nullptr) munmap(ring_memory_, ring_memory_size_);
  if (memory_ != nullptr) munmap(memory_, memory_size_);
  delete[] pending_;
}

int BufferRing::Init(Ring* ring, uint16_t group_id, uint32_t count, uint32_t size, uint64_t provide_user_data,
                     uint32_t initial, bool allow_ring_mapped) {
  if (count == 0 || count > 32768 || (count & (count - 1)) != 0 || size == 0) return -EINVAL;
  if (initial == 0 || initial > count) initial = count;
  circulating_ = initial;
  ring_ = ring;
  group_id_ = group_id;
  count_ = count;
  size_ = size;
  provide_user_data_ = provide_user_data;
  // Buffer memory is touched only when the kernel fills a buffer.
  memory_size_ = static_cast<size_t>(count) * size;
  void* memory = mmap(nullptr, memory_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) return -errno;
  memory_ = static_cast<uint8_t*>(memory);
  MarkAddressable(memory_, memory_size_);
  pending_ = new uint16_t[count];

  if (allow_ring_mapped && RegisterRing() == 0) {
    ring_mapped_ = true;
    for (uint32_t id = 0; id < initial; ++id) Return(static_cast<uint16_t>(id));
    Publish();
    if (ProbeRingSelects()) return 0;
    UnregisterRing();
    ring_mapped_ = false;
  }
  return ProvideInitial();
}

uint32_t BufferRing::Grow() {
  uint32_t added = circulating_ < count_ - circulating_ ? circulating_ : count_ - circulating_;
  for (uint32_t i = 0; i < added; ++i) Return(static_cast<uint16_t>(circulating_ + i));
  circulating_ += added;
  if (added > 0) Publish();
  return added;
}

int BufferRing::RegisterRing() {
  ring_memory_size_ = count_ * sizeof(io_uring_buf);
  void* ring_memory = mmap(nullptr, ring_memory_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ring_memory == MAP_FAILED) {
    ring_memory_size_ = 0;
    return -errno;
  }
  ring_memory_ = static_cast<uint8_t*>(ring_memory);
  MarkAddressable(ring_memory_, ring_memory_size_);
  io_uring_buf_reg reg;
  std::memset(&reg, 0, sizeof(reg));
  reg.ring_addr = reinterpret_cast<uint64_t>(ring_memory_);
  reg.ring_entries = count_;
  reg.bgid = group_id_;
  if (SysRegister(ring_->fd(), IORING_REGISTER_PBUF_RING, &reg, 1) < 0) return -errno;
  registered_ = true;
  tail_ = 0;
  return 0;
}

void BufferRing::UnregisterRing() {
  if (!registered_) return;
  io_uring_buf_reg reg;
  std::memset(&reg, 0, sizeof(reg));
  reg.bgid = group_id_;
  SysRegister(ring_->fd(), IORING_UNREGISTER_PBUF_RING, &reg, 1);
  registered_ = false;
}

// Reads one byte from a pipe with buffer selection: does the kernel really
// take buffers from the mapped ring?
bool BufferRing::ProbeRingSelects() {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) < 0) return false;
  bool works = false;
  char byte = 'p';
  io_uring_sqe* sqe = ring_->GetSqe();
  if (write(pipe_fds[1], &byte, 1) == 1 && sqe != nullptr) {
    PrepReadSelect(sqe, pipe_fds[0], 1, group_id_, provide_user_data_);
    if (ring_->SubmitAndWait() == 0) {
      io_uring_cqe* cqe = ring_->PeekCqe();
      if (cqe != nullptr) {
        works = cqe->res == 1 && (cqe->flags & IORING_CQE_F_BUFFER) != 0;
        if (cqe->flags & IORING_CQE_F_BUFFER) {
          Return(static_cast<uint16_t>(cqe->flags >> IORING_CQE_BUFFER_SHIFT));
          Publish();
        }
        ring_->Consume();
      }
    }
  }
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  return works;
}

int BufferRing::ProvideInitial() {
  io_uring_sqe* sqe = ring_->GetSqe();
  if (sqe == nullptr) return -EBUSY;
  PrepProvideBuffers(sqe, memory_, size_, circulating_, group_id_, 0, provide_user_data_);
  int result = ring_->SubmitAndWait();
  if (result < 0) return result;
  io_uring_cqe* cqe = ring_->PeekCqe();
  if (cqe == nullptr) return -EIO;
  result = cqe->res < 0 ? cqe->res : 0;
  ring_->Consume();
  return result;
}

void BufferRing::Return(uint16_t id) {
  if (!ring_mapped_) {
    pending_[pending_count_++] = id;
    return;
  }
  io_uring_buf* buf = RingEntries() + (tail_ & (count_ - 1));
  buf->addr = reinterpret_cast<uint64_t>(Buffer(id));
  buf->len = size_;
  buf->bid = id;
  ++tail_;
}

void BufferRing::Publish() {
  if (ring_mapped_) {
    // The shared tail overlays the `resv` field of entry 0.
    __atomic_store_n(&RingEntries()[0].resv, tail_, __ATOMIC_RELEASE);
    return;
  }
  uint32_t i = 0;
  while (i < pending_count_) {
    // One PROVIDE_BUFFERS per run of consecutive ids.
    uint32_t run = 1;
    while (i + run < pending_count_ && pending_[i + run] == pending_[i] + run) ++run;
    io_uring_sqe* sqe = ring_->GetSqe();
    if (sqe == nullptr) break;  // SQ full: keep the rest for the next Publish
    PrepProvideBuffers(sqe, Buffer(pending_[i]), size_, run, group_id_, pending_[i], provide_user_data_);
    sqe->flags = IOSQE_CQE_SKIP_SUCCESS;  // completes silently unless it fails
    i += run;
  }
  if (i > 0) {
    std::memmove(pending_, pending_ + i, (pending_count_ - i) * sizeof(uint16_t));
    pending_count_ -= i;
  }
}

}  // namespace uring
}  // namespace iocpnet

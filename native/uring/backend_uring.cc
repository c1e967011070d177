// io_uring backend: the io_uring mechanics under EngineCore (which holds
// every rule that is not about io_uring).
//
// Every SQE's user_data is (HandleId << 8) | Op, so a completion finds its
// Connection through the handle table; the core releases a Connection only
// after every operation it posted has completed (rule 9), so no completion
// reaches a recycled one. Operations per stream: one single-shot receive
// into a provided buffer, one gathered sendmsg, one connect, cancels; per
// listener one multishot accept; one timer for the whole backend.
//
// Why single-shot receives. A multishot recv takes everything that arrived
// whenever its completion work runs (up to 32 buffers: 2 MiB per connection
// per turn), so a socket paused after its first chunk had megabytes read for
// it and handed over in one 'data' chunk; and armed with
// IORING_RECVSEND_POLL_FIRST it missed FINs and RSTs on Linux 6.18
// (native/test/peer_close_test.cc). One receive at a time takes at most one
// buffer (<= 64 KiB) per connection per turn (rules 14, 17).
//
// Receive-buffer fairness (rule 14): a connection holds a ring buffer only
// for the delivery of that buffer's bytes; a receive that found the ring
// empty (-ENOBUFS) waits in a FIFO and is posted again one per buffer that
// comes back (or per buffer added when the ring grows), and at the end of
// every Drain (RearmStarvedAfterDrain).
//
// Streaming connections read on the JS thread (ReadNow). A receive that
// filled its buffer probably left more in the kernel; its next receive is
// then a non-blocking recv() in the next Drain, into memory the sink lends
// (EventSink::LendReceiveMemory), which the bridge hands to JS as the
// chunk's Buffer: no copy out of a ring buffer, as node reads into the
// Buffer it delivers. The copy was ~15 % of the server's CPU in a deep-
// pipeline echo. Until a recv() finds nothing (EAGAIN: a ring receive is
// posted), the connection stays on this path; idle connections hold no
// buffer either way.
#include "uring/backend_uring.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/engine_core.h"
#include "errors.h"
#include "ring_queue.h"
#include "uring/ring.h"

namespace iocpnet {
namespace uring {

namespace {

enum class Op : uint8_t {
  kAccept = 1,
  kRecv = 2,
  kSend = 3,
  kConnect = 4,
  kCancel = 5,
  kTimer = 6,        // the backend's one timer (handle 0)
  kTimerUpdate = 7,  // moves the timer earlier; its own CQE is ignored
  kWake = 8,         // NOP whose CQE makes the ring fd readable (events queued outside Drain)
  kProvide = 9,      // PROVIDE_BUFFERS (fallback buffer mode); completes only on failure
  kAcceptable = 10,  // poll for a pending connection after the accept ran out of descriptors
};

uint64_t UserData(HandleId id, Op op) { return (id << 8) | static_cast<uint8_t>(op); }

constexpr uint16_t kBufferGroup = 0;
// Receive buffers in circulation at first; the ring grows (doubling, up to
// uring.recv_buffer_count) only when receives find it empty, so RSS follows
// the real peak of in-flight receives rather than the configured maximum.
constexpr uint32_t kInitialRecvBuffers = 64;

struct UringConnection : Connection {
  bool recv_posted = false;          // a recv SQE is in the kernel
  bool starved = false;              // waits in the starved FIFO for a ring buffer
  bool in_starved_queue = false;
  bool recv_cancel_pending = false;  // an ASYNC_CANCEL of the recv is in the kernel
  bool cancel_all_pending = false;   // an ASYNC_CANCEL of every op is in the kernel
  bool last_read_full = false;       // the last receive filled its buffer: more is likely
  bool read_now = false;             // its receive is a recv() in the next Drain (ReadNow)
  bool in_read_now_list = false;
  msghdr message;                    // the sendmsg in flight reads it until its CQE

  void ResetBackendState() override {
    recv_posted = starved = in_starved_queue = recv_cancel_pending = cancel_all_pending = false;
    last_read_full = read_now = in_read_now_list = false;
    std::memset(&message, 0, sizeof(message));
  }
};

UringConnection* AsUring(Connection* conn) { return static_cast<UringConnection*>(conn); }

class UringBackend final : public EngineCore {
 public:
  explicit UringBackend(const BackendOptions& options) : EngineCore(options) {}

  ~UringBackend() override { CancelEverything(); }

  int Init(std::string* why) {
    const UringOptions& uring = options().uring;
    entries_ = uring.ring_entries == 0 ? UringOptions().ring_entries : uring.ring_entries;
    int result = ring_.Init(entries_, entries_ * 4, why);
    if (result < 0) return result;
    uint32_t count = uring.recv_buffer_count == 0 ? UringOptions().recv_buffer_count : uring.recv_buffer_count;
    uint32_t rounded = 1;
    while (rounded < count && rounded < 32768) rounded <<= 1;
    result = buffers_.Init(&ring_, kBufferGroup, rounded, ReadSize(), UserData(0, Op::kProvide), kInitialRecvBuffers,
                           !uring.provide_buffers);
    if (result < 0) {
      *why = std::string("io_uring needs Linux >= 6.1: provided-buffer ring registration failed (") +
             std::strerror(-result) + ")";
      return result;
    }
    return 0;
  }

  const char* Name() const override { return "uring"; }
  // The ring fd, readable exactly while the CQ holds entries (level-
  // triggered): completion work is cooperative (ring.h says why), so nothing
  // waits where the poll cannot see it.
  int PollFd() const override { return ring_.fd(); }
  void SetWakeCallback(void (*)(void*), void*) override {}

  void Flush() override {
    RetryDeferred();
    StartPendingSends();
    ring_.Submit();
  }

  size_t Drain(EventSink& sink) override {
    BeginDrain(sink);
    ReadListedNow();
    size_t budget = 4 * static_cast<size_t>(entries_);
    for (;;) {
      if (ring_.CqOverflowed()) ring_.FlushOverflow();
      io_uring_cqe* cqe = ring_.PeekCqe();
      if (cqe == nullptr) break;
      // The rest keep the ring fd readable: the next turn reaps them.
      if (budget-- == 0 || ReceiveBudgetSpent()) break;
      uint64_t user_data = cqe->user_data;
      int32_t res = cqe->res;
      uint32_t flags = cqe->flags;
      ring_.Consume();
      HandleCompletion(user_data, res, flags);
    }
    buffers_.Publish();
    RearmStarvedAfterDrain();
    // Listed while this Drain's own wake-up was still pending (its CQE not
    // yet reaped, so RequestDrain did nothing): ask again.
    if (!read_now_.empty()) RequestDrain();
    return EndDrain();
  }

 protected:
  // ---------------------------------------------------------------- hooks

  Connection* NewConnection() override { return new UringConnection(); }

  int Register(Connection*) override { return 0; }  // io_uring needs no registration

  int StartListening(Connection* listener) override {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) return Defer(listener, Deferred::kAccept);
    PrepMultishotAccept(sqe, listener->fd, UserData(listener->id, Op::kAccept));
    Posted(listener);
    return 0;
  }

  // io_uring's accept takes a descriptor before it looks for a connection:
  // with the table full it fails at once, pending connection or not, so
  // re-posting it would spin. Wait until a connection is pending, as libuv's
  // poll-then-accept does; the core then sheds it (the EMFILE trick).
  void WaitAcceptable(Connection* listener) {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      Defer(listener, Deferred::kAcceptable);
      return;
    }
    PrepPollReadable(sqe, listener->fd, UserData(listener->id, Op::kAcceptable));
    Posted(listener);
  }

  // The connect() syscall is the core's (libuv's semantics, the same errors
  // on every backend); io_uring waits for the socket to become writable.
  void WaitConnected(Connection* conn) override {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      Defer(conn, Deferred::kPollWritable);
      return;
    }
    PrepPollWritable(sqe, conn->fd, UserData(conn->id, Op::kConnect));
    Posted(conn);
  }

  void ArmReceive(Connection* base) override {
    UringConnection* conn = AsUring(base);
    if (conn->last_read_full) {
      ListReadNow(conn);
    } else {
      PostRecv(conn);
    }
  }

  void StartSend(Connection* base, const IoBuffer* buffers, size_t count) override {
    UringConnection* conn = AsUring(base);
    std::memset(&conn->message, 0, sizeof(conn->message));
    conn->message.msg_iov = const_cast<IoBuffer*>(buffers);
    conn->message.msg_iovlen = count;
    PostSend(conn);
  }

  void CancelReceive(Connection* base) override {
    UringConnection* conn = AsUring(base);
    if (conn->read_now) {
      conn->read_now = false;  // never posted: the list entry is skipped
      ReceiveEnded(conn);
      return;
    }
    if (conn->starved) {
      // Never posted: nothing to cancel, the FIFO entry is skipped.
      conn->starved = false;
      ReceiveEnded(conn);
      return;
    }
    if (!conn->recv_posted || conn->recv_cancel_pending) return;
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      Defer(conn, Deferred::kCancelReceive);
      return;
    }
    PrepCancel(sqe, UserData(conn->id, Op::kRecv), UserData(conn->id, Op::kCancel));
    conn->recv_cancel_pending = true;
    Posted(conn);
  }

  void CancelAll(Connection* base) override {
    UringConnection* conn = AsUring(base);
    if (conn->read_now) {
      conn->read_now = false;
      ReceiveEnded(conn);
    }
    if (conn->starved) {
      conn->starved = false;
      ReceiveEnded(conn);
    }
    if (conn->inflight == 0 || conn->cancel_all_pending) return;
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      Defer(conn, Deferred::kCancelAll);
      return;
    }
    PrepCancelFd(sqe, conn->fd, UserData(conn->id, Op::kCancel));
    conn->cancel_all_pending = true;
    Posted(conn);
  }

  // One IORING_OP_TIMEOUT at a time; an earlier deadline moves it.
  void ArmTimer(uint64_t deadline_ms) override {
    uint64_t now = NowMs();
    uint64_t wait = deadline_ms > now ? deadline_ms - now : 1;
    __kernel_timespec& spec = timer_armed_ ? timer_update_spec_ : timer_spec_;
    spec.tv_sec = static_cast<long long>(wait / 1000);
    spec.tv_nsec = static_cast<long long>((wait % 1000) * 1000000);
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      deferred_timer_ = deadline_ms;  // armed by the next Flush
      return;
    }
    deferred_timer_ = kNoDeferredTimer;
    if (timer_armed_) {
      PrepTimeoutUpdate(sqe, UserData(0, Op::kTimer), &timer_update_spec_, UserData(0, Op::kTimerUpdate));
    } else {
      PrepTimeout(sqe, &timer_spec_, UserData(0, Op::kTimer));
      timer_armed_ = true;
    }
  }

  // A NOP's CQE makes the ring fd readable (once the next Flush submits it).
  void RequestDrain() override {
    if (wake_pending_) return;
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) return;  // the CQ is full then: the ring fd is readable anyway
    PrepNop(sqe, UserData(0, Op::kWake));
    wake_pending_ = true;
  }

 private:
  uint32_t ReadSize() const { return static_cast<uint32_t>(ReadBufferSize()); }

  io_uring_sqe* GetSqe() {
    io_uring_sqe* sqe = ring_.GetSqe();
    if (sqe == nullptr) {
      // The kernel did not take the SQ (CQ overflow back-pressure): reap into
      // the overflow list and try once more.
      ring_.FlushOverflow();
      sqe = ring_.GetSqe();
    }
    return sqe;
  }

  static void Posted(Connection* conn) { ++conn->inflight; }

  // When the kernel takes no SQE for now (the SQ and CQ full under load), an
  // operation waits for the next Flush rather than be lost: a listener not
  // accepting, a connect or a close never finishing (rule 4).
  enum class Deferred : uint8_t { kAccept, kAcceptable, kPollWritable, kSend, kCancelReceive, kCancelAll };
  struct DeferredOp {
    HandleId id;
    Deferred what;
  };
  static constexpr uint64_t kNoDeferredTimer = UINT64_MAX;

  int Defer(Connection* conn, Deferred what) {
    deferred_.push_back(DeferredOp{conn->id, what});
    return 0;
  }

  void RetryDeferred() {
    if (deferred_timer_ != kNoDeferredTimer) ArmTimer(deferred_timer_);
    if (deferred_.empty()) return;
    retrying_.swap(deferred_);
    for (const DeferredOp& op : retrying_) {
      UringConnection* conn = static_cast<UringConnection*>(Find(op.id));
      if (conn == nullptr || conn->finalized) continue;  // closed meanwhile: nothing left to do
      switch (op.what) {
        case Deferred::kAccept:
          if (conn->listening && !conn->closing) StartListening(conn);
          break;
        case Deferred::kAcceptable:
          if (conn->listening && !conn->closing) WaitAcceptable(conn);
          break;
        case Deferred::kPollWritable:
          if (conn->connecting) WaitConnected(conn);
          break;
        case Deferred::kSend:
          PostSend(conn);
          break;
        case Deferred::kCancelReceive:
          CancelReceive(conn);
          break;
        case Deferred::kCancelAll:
          CancelAll(conn);
          break;
      }
    }
    retrying_.clear();
  }

  // The gathered send in conn->message (the core counts it in flight from
  // StartSend on, deferred or not).
  void PostSend(UringConnection* conn) {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      Defer(conn, Deferred::kSend);
      return;
    }
    PrepSendmsg(sqe, conn->fd, &conn->message, MSG_NOSIGNAL, UserData(conn->id, Op::kSend));
    Posted(conn);
  }

  void PostRecv(UringConnection* conn) {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      // SQ full: wait with the starved receives (posted at the end of a Drain)
      // rather than be forgotten with neither a receive nor a queue entry.
      QueueStarved(conn);
      return;
    }
    // No IORING_RECVSEND_POLL_FIRST: a receive posted right after the
    // previous one usually finds data at once.
    PrepReceiveSelect(sqe, conn->fd, kBufferGroup, UserData(conn->id, Op::kRecv));
    conn->recv_posted = true;
    conn->recv_cancel_pending = false;
    conn->cancel_all_pending = false;  // a new op: a later CancelAll must cancel it too
    Posted(conn);
  }

  // ---------------------------------------------------------------- completions

  void HandleCompletion(uint64_t user_data, int32_t res, uint32_t flags) {
    Op op = static_cast<Op>(user_data & 0xff);
    HandleId id = user_data >> 8;
    switch (op) {
      case Op::kWake: wake_pending_ = false; return;
      case Op::kProvide: return;  // a failed buffer hand-back; the buffer stays ours
      case Op::kTimerUpdate: return;
      case Op::kTimer:
        timer_armed_ = false;
        HandleTimer();
        return;
      default: break;
    }
    UringConnection* conn = static_cast<UringConnection*>(Find(id));
    if (conn == nullptr) {
      // Cannot happen (rule 9), but never leak a ring buffer or an fd.
      if (flags & IORING_CQE_F_BUFFER) ReturnBuffer(static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT));
      if (op == Op::kAccept && res >= 0) sockets::Close(res);
      return;
    }
    switch (op) {
      case Op::kAccept: OnAccept(conn, res, flags); break;
      case Op::kAcceptable:
        --conn->inflight;
        if (conn->listening && !conn->closing) StartListening(conn);
        break;
      case Op::kRecv: OnRecv(conn, res, flags); break;
      case Op::kSend:
        --conn->inflight;
        if (res >= 0) {
          HandleSent(conn, static_cast<size_t>(res));
        } else {
          HandleSendFailed(conn, UvErrorFromSystem(-res));
        }
        break;
      case Op::kConnect:  // the poll for writability ended
        --conn->inflight;
        HandleConnected(conn, res < 0 ? UvErrorFromSystem(-res) : sockets::TakeError(conn->fd));
        break;
      case Op::kCancel:
        --conn->inflight;
        conn->recv_cancel_pending = conn->cancel_all_pending = false;
        break;
      default: break;
    }
    AfterCompletion(id);
  }

  void OnAccept(UringConnection* listener, int32_t res, uint32_t flags) {
    bool more = (flags & IORING_CQE_F_MORE) != 0;
    if (!more) --listener->inflight;
    if (res >= 0) {
      HandleAccepted(listener, res);
    } else {
      HandleAcceptError(listener, UvErrorFromSystem(-res));
    }
    if (!more && listener->listening && !listener->closing) {
      if (res == -EMFILE || res == -ENFILE) {
        WaitAcceptable(listener);
      } else {
        StartListening(listener);
      }
    }
  }

  void OnRecv(UringConnection* conn, int32_t res, uint32_t flags) {
    conn->recv_posted = false;
    --conn->inflight;
    if (res > 0) {
      uint16_t buffer_id = static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
      conn->last_read_full = static_cast<uint32_t>(res) == ReadSize();
      HandleReceived(conn, buffers_.Buffer(buffer_id), static_cast<size_t>(res));
      ReturnBuffer(buffer_id);
      return;
    }
    if (flags & IORING_CQE_F_BUFFER) ReturnBuffer(static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT));
    if (res == 0) {
      HandleEof(conn);
    } else if (res == -ENOBUFS) {
      // The ring ran dry: wait in line for a returned buffer (rule 14).
      if (conn->reading && !conn->closing) {
        QueueStarved(conn);
        // Grown buffers count as returned ones: one starved receive each.
        for (uint32_t added = buffers_.Grow(); added > 0 && !starved_.empty(); --added) RearmOneStarved();
      } else {
        ReceiveEnded(conn);
      }
    } else {
      HandleReceiveError(conn, UvErrorFromSystem(-res));
    }
  }

  // ---------------------------------------------------------------- reads on the JS thread

  void ListReadNow(UringConnection* conn) {
    conn->read_now = true;
    if (!conn->in_read_now_list) {
      conn->in_read_now_list = true;
      read_now_.push_back(conn->id);
    }
    RequestDrain();
  }

  // The receives listed by the last turn, in order, within the Drain's
  // receive budget (the rest wait for the next Drain).
  void ReadListedNow() {
    reading_now_.swap(read_now_);
    for (HandleId id : reading_now_) {
      UringConnection* conn = static_cast<UringConnection*>(Find(id));
      if (conn == nullptr) continue;
      conn->in_read_now_list = false;
      if (!conn->read_now) continue;
      if (ReceiveBudgetSpent()) {
        ListReadNow(conn);
        continue;
      }
      conn->read_now = false;
      ReadNow(conn);
      AfterCompletion(id);
    }
    reading_now_.clear();
  }

  void ReadNow(UringConnection* conn) {
    if (!conn->reading) {
      ReceiveEnded(conn);  // paused since it was listed: the bytes stay in the kernel
      return;
    }
    size_t capacity = 0;
    uint8_t* memory = SinkReceiveMemory(conn, &capacity);
    int64_t n = memory == nullptr ? UV_EAGAIN : sockets::ReceiveNow(conn->fd, memory, capacity);
    conn->last_read_full = n > 0 && static_cast<size_t>(n) == capacity;
    if (!HandleReceiveResult(conn, memory, n)) PostRecv(conn);  // nothing waiting (or no memory lent): a ring receive
  }

  // ---------------------------------------------------------------- starvation (rule 14)

  void QueueStarved(UringConnection* conn) {
    conn->starved = true;
    if (!conn->in_starved_queue) {
      conn->in_starved_queue = true;
      starved_.push_back(conn->id);
    }
  }

  void ReturnBuffer(uint16_t buffer_id) {
    buffers_.Return(buffer_id);
    if (buffers_.ring_mapped()) buffers_.Publish();  // one store: the kernel may reuse it at once
    RearmOneStarved();  // at most one starved receive per returned buffer
  }

  void RearmOneStarved() {
    while (!starved_.empty()) {
      HandleId id = starved_.front();
      starved_.pop_front();
      UringConnection* conn = static_cast<UringConnection*>(Find(id));
      if (conn == nullptr) continue;
      conn->in_starved_queue = false;
      if (!conn->starved) continue;
      conn->starved = false;
      if (conn->reading && !conn->closing) {
        buffers_.Publish();
        PostRecv(conn);
        return;
      }
      ReceiveEnded(conn);  // no longer wanted: the core forgets the receive
    }
  }

  // Progress guarantee. Posting one starved receive per returned buffer is
  // not enough on its own: a receive whose -ENOBUFS is reaped after the
  // buffers it lacked already came back waits for a return that may never
  // come; the ring fd then stays quiet and the connection stalls with its
  // bytes in the kernel. Here every buffer we were handed is back in the
  // ring, so up to circulating() starved receives can be served. Each has
  // bytes waiting, so each yields a CQE (data or -ENOBUFS again), and the
  // next Drain continues until the queue is empty.
  void RearmStarvedAfterDrain() {
    for (uint32_t n = buffers_.circulating(); n > 0 && !starved_.empty(); --n) RearmOneStarved();
  }

  // ---------------------------------------------------------------- teardown

  // Rule 9 even at exit: cancel every op still in the kernel and reap until
  // none is left (bounded), so no send still reads a buffer and no receive
  // writes into memory about to be freed.
  void CancelEverything() {
    if (ring_.fd() < 0) return;
    size_t outstanding = 0;
    for (Connection* conn : connections()) {
      if (conn->id == 0 || conn->inflight == 0) continue;
      outstanding += conn->inflight;
      io_uring_sqe* sqe = GetSqe();
      if (sqe == nullptr) break;
      PrepCancelFd(sqe, conn->fd, UserData(conn->id, Op::kCancel));
      ++conn->inflight;
    }
    if (outstanding == 0) return;
    ring_.Submit();
    for (int round = 0; round < 100; ++round) {
      bool busy = false;
      for (Connection* conn : connections()) busy = busy || (conn->id != 0 && conn->inflight > 0);
      if (!busy) return;
      ring_.WaitForCompletion(10);
      if (ring_.CqOverflowed()) ring_.FlushOverflow();
      while (io_uring_cqe* cqe = ring_.PeekCqe()) {
        uint64_t user_data = cqe->user_data;
        int32_t res = cqe->res;
        uint32_t flags = cqe->flags;
        ring_.Consume();
        Op op = static_cast<Op>(user_data & 0xff);
        if (op == Op::kAccept && res >= 0) sockets::Close(res);
        if (op == Op::kTimer || op == Op::kTimerUpdate || op == Op::kWake || op == Op::kProvide) continue;
        Connection* conn = Find(user_data >> 8);
        if (conn == nullptr) continue;
        bool final_cqe = op != Op::kAccept || !(flags & IORING_CQE_F_MORE);
        if (final_cqe && conn->inflight > 0) --conn->inflight;
      }
    }
  }

  Ring ring_;
  BufferRing buffers_;
  uint32_t entries_ = 0;
  RingQueue<HandleId> starved_;  // receives waiting for a ring buffer, in arrival order
  std::vector<HandleId> read_now_;     // receives to make as recv() in the next Drain
  std::vector<HandleId> reading_now_;  // the ones this Drain makes
  __kernel_timespec timer_spec_{};
  __kernel_timespec timer_update_spec_{};
  bool timer_armed_ = false;
  uint64_t deferred_timer_ = kNoDeferredTimer;
  bool wake_pending_ = false;
  std::vector<DeferredOp> deferred_;  // operations waiting for room in the SQ
  std::vector<DeferredOp> retrying_;
};

}  // namespace

std::unique_ptr<Backend> CreateUringBackend(const BackendOptions& options, int* error, std::string* why) {
  return MakeBackend<UringBackend>(options, error, why);
}

}  // namespace uring
}  // namespace iocpnet

// io_uring Backend.
//
// Per handle there is one Conn (recycled through a free list, so steady-state
// operation allocates nothing). Every SQE's user_data is (HandleId << 8) | op,
// so a completion finds its Conn through the handle table; a Conn is released
// only after every op it posted has completed (rule 9), so no completion ever
// reaches a recycled Conn.
//
// Ops per stream: one single-shot recv (provided buffers), one gathered
// sendmsg (rules 1-3), one connect, and ASYNC_CANCELs. Per listener: one
// multishot accept. Events are produced into a FIFO and handed to the sink by
// Drain(); received bytes are delivered straight from the ring buffer, which
// goes back to the kernel as soon as OnEvent returns.
//
// Why single-shot receives. A multishot recv takes everything that arrived
// whenever its completion work runs (up to 32 buffers: 2 MiB per connection
// per turn), so a socket paused after its first chunk had megabytes read
// for it anyway and handed over in one 'data' chunk; and armed with
// IORING_RECVSEND_POLL_FIRST it missed FINs and RSTs on Linux 6.18
// (native/test/peer_close_test.cc). One recv at a time, re-armed only while
// reading, takes at most one buffer (<= 64 KiB, node's largest read) per
// connection per turn, and a paused connection at most one more, which waits
// in its stash (rule 17).
//
// Receive-buffer fairness (rule 14): a connection holds a ring buffer only
// for the OnEvent call that delivers it, and a recv that found the ring
// empty (-ENOBUFS) waits in a FIFO and is re-armed one per buffer that comes
// back (or per buffer added when the ring grows), and at the end of every
// Drain (see RearmStarvedAfterDrain).
//
// Large writes first try a synchronous sendmsg when nothing of the socket is
// queued (TryWrite, like uv_try_write); the rest follows the queued path.
#include "uring/backend_uring.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "buffer_pool.h"
#include "errors.h"
#include "handle_table.h"
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
  kTimer = 6,  // backend-wide close-timeout timer (handle 0)
  kWake = 7,   // NOP whose CQE makes the ring fd readable for events queued outside Drain
  kProvide = 8,  // PROVIDE_BUFFERS (fallback buffer mode); completes only on failure
};

uint64_t UserData(HandleId id, Op op) { return (id << 8) | static_cast<uint8_t>(op); }

constexpr uint16_t kBufferGroup = 0;
constexpr size_t kMaxIov = 128;          // iovecs per gathered sendmsg
// Most sends gather a few segments: their iovecs live in the connection, so an
// idle connection that once wrote holds no 2 KiB iovec array.
constexpr size_t kInlineIov = 4;
constexpr size_t kSendChunkSize = 64 * 1024;
// The largest read: node reads into 64 KiB buffers, so no 'data' chunk of
// node:net is larger (rule 17).
constexpr size_t kMaxReadSize = 64 * 1024;
constexpr size_t kChunkHeader = 64;      // refcount lives here; keeps data cache-aligned
constexpr size_t kMaxCachedChunks = 256;
// Receive buffers in circulation at first; the ring grows (doubling, up to
// recv_buffer_count) only when receives find it empty, so RSS follows the
// real peak of in-flight receives rather than the configured maximum.
constexpr uint32_t kInitialRecvBuffers = 64;
// A send or receive the kernel refused for now (EAGAIN, ENOBUFS, ENOMEM,
// EINTR: e.g. TCP memory pressure) is tried again after this long (rule 16).
constexpr uint64_t kRetryDelayMs = 2;
// Timers in the kernel at once (the close deadline and a retry, mostly).
constexpr size_t kTimerSlots = 4;

// Refusals that say "not now", never "this connection failed" (rule 16):
// the operation is tried again later and the user never sees them.
bool IsTransient(int32_t res) {
  return res == -EAGAIN || res == -EWOULDBLOCK || res == -ENOBUFS || res == -ENOMEM || res == -EINTR;
}

uint64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

// A run of bytes waiting to be sent: inside a pooled copy chunk (chunk != null)
// or borrowed from the caller (chunk == null).
struct Segment {
  const uint8_t* data = nullptr;
  size_t size = 0;
  uint8_t* chunk = nullptr;
};

// One accepted Write(): done when `end` (a byte offset in the socket's output
// stream) has been acknowledged by the kernel.
struct WriteRecord {
  uint64_t token = 0;
  uint64_t end = 0;
  bool committed = false;  // the caller counts it as sent: kAbort delivers it
};

uint32_t& ChunkRefs(uint8_t* chunk) { return *reinterpret_cast<uint32_t*>(chunk); }

enum class Action : uint8_t {
  kDeliver = 0,       // hand `event` to the sink
  kDeliverClosed = 1, // kClosed: hand it over, then release the handle
  kStash = 2,         // deliver bytes/EOF/error held back while reading was stopped
};

struct QueuedEvent {
  Event event;
  Action action;
};

struct Conn {
  HandleId id = 0;
  int fd = -1;
  int family = AF_UNSPEC;
  bool listener = false;
  bool ref = true;
  bool active_counted = false;

  // listener
  bool listening = false;
  bool accept_armed = false;
  std::string unlink_path;  // Unix listener path removed on close (like libuv)

  // connection state
  bool connecting = false;
  bool connected = false;
  SocketAddress remote;  // CONNECT reads it from here until completion

  // reading
  bool reading = false;
  bool eof = false;
  bool read_failed = false;
  bool recv_armed = false;          // a multishot recv is in the kernel
  bool recv_cancel_sent = false;
  bool in_starved_queue = false;    // got -ENOBUFS, waits for a returned buffer
  bool starved = false;
  bool recv_retry_pending = false;  // a transient refusal: ArmRecv again at its retry deadline
  std::vector<uint8_t> stash;       // bytes that arrived after ReadStop (copied: rule 14)
  bool stash_eof = false;
  int stash_error = 0;
  bool stash_scheduled = false;

  // writing (rules 1-3)
  RingQueue<Segment> segments;      // first `inflight_segments` are in the sendmsg
  RingQueue<WriteRecord> writes;
  uint64_t appended = 0;            // bytes accepted by Write()
  uint64_t acked = 0;               // bytes the kernel took
  uint64_t committed_end = 0;       // end of the last committed write (kAbort delivers up to here)
  uint8_t* tail_chunk = nullptr;    // copy chunk being filled
  size_t tail_used = 0;
  bool send_inflight = false;
  bool send_dirty = false;          // in the backend's list of sends to start at Flush
  size_t inflight_segments = 0;
  int write_error = 0;
  bool writes_fail_after_read = false;  // write_error waits for the recv to report first (OnSend)
  bool send_retry_pending = false;  // a transient refusal: StartSend again at its retry deadline
  iovec iov_inline[kInlineIov];
  std::vector<iovec> iov_heap;      // sends of more than kInlineIov segments
  msghdr msg;

  // shutdown / close
  bool shutdown_requested = false;
  bool shutdown_done = false;       // shutdown(SHUT_WR) issued
  bool closing = false;
  CloseMode close_mode = CloseMode::kGraceful;
  bool close_flushes = false;       // the close waits for queued writes to reach the kernel
  bool finalized = false;           // fd closed, kClosed queued

  uint32_t inflight = 0;            // ops in the kernel (incl. cancels)

  bool WritesPending() const { return !writes.empty() || send_inflight; }
};

class UringBackend final : public Backend {
 public:
  explicit UringBackend(const BackendOptions& options)
      : options_(options), send_pool_(kSendChunkSize, kMaxCachedChunks) {}

  ~UringBackend() override {
    CancelEverything();
    for (Conn* conn : all_conns_) {
      if (conn->fd >= 0) close(conn->fd);
      conn->fd = -1;
      ResetWriteState(conn);
      delete conn;
    }
    if (reserve_fd_ >= 0) close(reserve_fd_);
  }

  int Init(std::string* why) {
    uint32_t entries = options_.ring_entries == 0 ? BackendOptions().ring_entries : options_.ring_entries;
    int result = ring_.Init(entries, entries * 4, why);
    if (result < 0) return result;
    uint32_t count = options_.recv_buffer_count == 0 ? 1024 : options_.recv_buffer_count;
    uint32_t rounded = 1;
    while (rounded < count && rounded < 32768) rounded <<= 1;
    size_t page = BufferPool::PageSize();
    size_t size = options_.recv_buffer_size == 0 ? kMaxReadSize : options_.recv_buffer_size;
    size = (size + page - 1) / page * page;
    if (size > kMaxReadSize) size = kMaxReadSize;  // a 'data' chunk is never larger than node's (rule 17)
    // IOCP_NET_PROVIDE_BUFFERS=1 forces the classic provided-buffer mode
    // (for kernels whose buffer rings misbehave, and to test that path).
    bool allow_ring = std::getenv("IOCP_NET_PROVIDE_BUFFERS") == nullptr;
    result = buffers_.Init(&ring_, kBufferGroup, rounded, static_cast<uint32_t>(size), UserData(0, Op::kProvide),
                           kInitialRecvBuffers, allow_ring);
    if (result < 0) {
      *why = std::string("io_uring needs Linux >= 6.1: provided-buffer ring registration failed (") +
             std::strerror(-result) + ")";
      return result;
    }
    reserve_fd_ = open("/", O_RDONLY | O_CLOEXEC);  // spent only when out of fds
    return 0;
  }

  const char* Name() const override { return "uring"; }
  // The ring fd, readable exactly while the CQ holds entries (level-
  // triggered): completion work is cooperative (ring.h), so nothing is
  // pending anywhere the poll cannot see.
  int PollFd() const override { return ring_.fd(); }
  void SetWakeCallback(void (*)(void*), void*) override {}

  // ---------------------------------------------------------------- loop

  void Flush() override {
    // Start the sends queued this turn: one gathered sendmsg per socket.
    flushing_.swap(dirty_);  // StartSend may re-queue a socket for next turn
    for (HandleId id : flushing_) {
      Conn* conn = Find(id);
      if (conn == nullptr) continue;
      conn->send_dirty = false;
      StartSend(conn);
      UpdateActive(conn);
    }
    flushing_.clear();
    if (!events_.empty()) {
      // Events made outside Drain (e.g. kClosed of an idle handle).
      QueueWake();
    }
    ring_.Submit();
  }

  size_t Drain(EventSink& sink) override {
    sink_ = &sink;
    delivered_ = 0;
    DeliverQueued();
    size_t budget = 4 * static_cast<size_t>(options_.ring_entries == 0 ? BackendOptions().ring_entries : options_.ring_entries);
    for (;;) {
      if (ring_.CqOverflowed()) ring_.FlushOverflow();
      io_uring_cqe* cqe = ring_.PeekCqe();
      if (cqe == nullptr) break;
      if (budget-- == 0) break;  // the rest keep the ring fd readable: next turn
      uint64_t user_data = cqe->user_data;
      int32_t res = cqe->res;
      uint32_t flags = cqe->flags;
      ring_.Consume();
      HandleCompletion(user_data, res, flags);
      DeliverQueued();
    }
    buffers_.Publish();
    RearmStarvedAfterDrain();
    sink_ = nullptr;
    return delivered_;
  }

  bool HasRefedActiveHandles() const override { return active_refed_ > 0; }

  // ---------------------------------------------------------------- servers

  int Listen(const SocketAddress& address, const ListenOptions& options, HandleId* out) override {
    int family = address.family();
    if (family != AF_INET && family != AF_INET6 && family != AF_UNIX) return UV_EINVAL;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return UvLastError();
    int on = 1;
    if (family != AF_UNIX && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) {
      return CloseWithError(fd);
    }
    if (family == AF_INET6) {
      int v6only = options.ipv6_only ? 1 : 0;
      if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0) return CloseWithError(fd);
    }
    if (bind(fd, address.raw(), address.length()) < 0) return CloseWithError(fd);
    if (listen(fd, options.backlog) < 0) return CloseWithError(fd);
    Conn* conn = NewConn(fd, family);
    conn->listener = true;
    conn->listening = true;
    if (family == AF_UNIX) {
      std::string path = address.path();
      if (!path.empty() && path[0] != '\0') conn->unlink_path = path;
    }
    ArmAccept(conn);
    UpdateActive(conn);
    *out = conn->id;
    return 0;
  }

  // ---------------------------------------------------------------- clients

  int Connect(const SocketAddress& remote, const SocketAddress* local, HandleId* out) override {
    int family = remote.family();
    if (family != AF_INET && family != AF_INET6 && family != AF_UNIX) return UV_EINVAL;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return UvLastError();
    if (local != nullptr) {
      int on = 1;  // like libuv's uv_tcp_bind
      if (family != AF_UNIX && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) return CloseWithError(fd);
      if (bind(fd, local->raw(), local->length()) < 0) return CloseWithError(fd);
    }
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      close(fd);
      return UV_ENOBUFS;
    }
    Conn* conn = NewConn(fd, family);
    conn->remote = remote;
    conn->connecting = true;
    sqe->opcode = IORING_OP_CONNECT;
    sqe->fd = fd;
    sqe->addr = reinterpret_cast<uint64_t>(conn->remote.raw());
    sqe->off = conn->remote.length();
    sqe->user_data = UserData(conn->id, Op::kConnect);
    ++conn->inflight;
    UpdateActive(conn);
    *out = conn->id;
    return 0;
  }

  // ---------------------------------------------------------------- streams

  int ReadStart(HandleId id) override {
    Conn* conn = Find(id);
    if (conn == nullptr) return UV_EBADF;
    if (conn->listener) return UV_ENOTCONN;
    if (conn->closing) return UV_EINVAL;
    if (!conn->reading) {
      conn->reading = true;
      if (HasStash(conn)) {
        ScheduleStash(conn);
      } else {
        ArmRecv(conn);
      }
      UpdateActive(conn);
    }
    return 0;
  }

  int ReadStop(HandleId id) override {
    Conn* conn = Find(id);
    if (conn == nullptr) return UV_EBADF;
    if (conn->listener) return UV_ENOTCONN;
    if (conn->reading) {
      conn->reading = false;
      // A recv already armed stays: a pause is usually undone within a turn
      // or two (a write's completion resumes it), and cancelling and
      // re-arming costs two SQEs. It holds no ring buffer while it waits;
      // the one buffer it may still fill is copied aside (stash) and no
      // recv follows it until ReadStart (rules 14, 17).
      conn->starved = false;  // its starved-queue entry is skipped when popped
      UpdateActive(conn);
    }
    return 0;
  }

  int Write(HandleId id, const WriteSlice* slices, size_t count, uint64_t token, bool committed) override {
    Conn* conn = Find(id);
    if (conn == nullptr) return UV_EBADF;
    if (conn->listener) return UV_ENOTCONN;
    if (conn->closing) return UV_EBADF;
    if (conn->shutdown_requested) return UV_EPIPE;
    if (!conn->connected && !conn->connecting) return UV_EPIPE;
    for (size_t i = 0; i < count; ++i) {
      const WriteSlice& slice = slices[i];
      if (slice.size == 0) continue;
      if (slice.borrowed) {
        conn->segments.push_back(Segment{slice.data, slice.size, nullptr});
      } else {
        CopyIntoChunks(conn, slice.data, slice.size);
      }
      conn->appended += slice.size;
    }
    conn->writes.push_back(WriteRecord{token, conn->appended, committed});
    if (committed) conn->committed_end = conn->appended;
    MarkDirty(conn);
    UpdateActive(conn);
    return 0;
  }

  int TryWrite(HandleId id, const WriteSlice* slices, size_t count, size_t* written) override {
    *written = 0;
    Conn* conn = Find(id);
    if (conn == nullptr || conn->listener || !conn->connected || conn->closing || conn->finalized) return UV_EAGAIN;
    if (conn->shutdown_requested || conn->write_error != 0 || conn->WritesPending()) return UV_EAGAIN;
    iovec iov[kMaxIov];
    size_t n = 0;
    for (size_t i = 0; i < count && n < kMaxIov; ++i) {
      if (slices[i].size == 0) continue;
      iov[n].iov_base = const_cast<uint8_t*>(slices[i].data);
      iov[n].iov_len = slices[i].size;
      ++n;
    }
    if (n == 0) return UV_EAGAIN;
    msghdr msg;
    std::memset(&msg, 0, sizeof(msg));
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    ssize_t sent;
    do {
      sent = sendmsg(conn->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return UV_EAGAIN;  // would block, or an error Write() will report
    *written = static_cast<size_t>(sent);
    conn->appended += *written;
    conn->acked += *written;
    return 0;
  }

  int Shutdown(HandleId id) override {
    Conn* conn = Find(id);
    if (conn == nullptr) return UV_EBADF;
    if (conn->listener || conn->closing || conn->shutdown_requested) return UV_ENOTCONN;
    if (!conn->connected && !conn->connecting) return UV_ENOTCONN;
    conn->shutdown_requested = true;
    MaybeShutdown(conn);
    UpdateActive(conn);
    return 0;
  }

  int Close(HandleId id, CloseMode mode) override {
    Conn* conn = Find(id);
    if (conn == nullptr) return UV_EBADF;
    if (conn->closing) {
      // A stronger close may overtake a flushing one (graceful, or abort
      // delivering committed writes; reset always wins).
      if (!conn->finalized && conn->close_flushes && mode != CloseMode::kGraceful) Escalate(conn, mode);
      return 0;
    }
    conn->closing = true;
    conn->close_mode = mode;
    conn->reading = false;
    DropStash(conn);
    if (conn->listener) StopListening(conn);
    if (mode == CloseMode::kReset) SetLingerZero(conn);
    if (mode == CloseMode::kAbort) SendCommittedNow(conn);
    conn->close_flushes = mode == CloseMode::kGraceful && conn->connected && conn->WritesPending() &&
                          conn->write_error == 0;
    if (conn->close_flushes) {
      // Rule 6: keep sending, only the recv goes now; a timer bounds the wait.
      CancelRecv(conn);
      close_deadlines_.push_back(CloseDeadline{conn->id, NowMs() + options_.close_timeout_ms});
      ArmTimer();
    } else {
      CancelAll(conn);
    }
    MaybeFinishClose(conn);
    UpdateActive(conn);
    return 0;
  }

  // ---------------------------------------------------------------- options

  int SetNoDelay(HandleId id, bool enable) override {
    Conn* conn = Find(id);
    if (conn == nullptr || conn->fd < 0) return UV_EBADF;
    if (conn->family == AF_UNIX) return 0;
    int value = enable ? 1 : 0;
    if (setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &value, sizeof(value)) < 0) return UvLastError();
    return 0;
  }

  int SetKeepAlive(HandleId id, bool enable, unsigned int initial_delay_secs) override {
    Conn* conn = Find(id);
    if (conn == nullptr || conn->fd < 0) return UV_EBADF;
    if (conn->family == AF_UNIX) return 0;
    int on = enable ? 1 : 0;
    if (setsockopt(conn->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) < 0) return UvLastError();
    if (!enable) return 0;
    // Like libuv: idle = delay, probe every second, give up after 10 probes.
    // A delay of 0 is passed on too: the kernel rejects it (EINVAL), as with
    // libuv, and keepalive stays on with the system's idle time.
    int idle = static_cast<int>(initial_delay_secs);
    int interval = 1;
    int probes = 10;
    if (setsockopt(conn->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) < 0) return UvLastError();
    if (setsockopt(conn->fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval)) < 0) return UvLastError();
    if (setsockopt(conn->fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes)) < 0) return UvLastError();
    return 0;
  }

  int GetSockName(HandleId id, SocketAddress* out) const override {
    const Conn* conn = Find(id);
    if (conn == nullptr || conn->fd < 0) return UV_EBADF;
    SocketAddress address;
    socklen_t length = SocketAddress::kMaxLength;
    if (getsockname(conn->fd, address.raw_mutable(), &length) < 0) return UvLastError();
    address.set_length(length);
    *out = address;
    return 0;
  }

  int GetPeerName(HandleId id, SocketAddress* out) const override {
    const Conn* conn = Find(id);
    if (conn == nullptr || conn->fd < 0) return UV_EBADF;
    SocketAddress address;
    socklen_t length = SocketAddress::kMaxLength;
    if (getpeername(conn->fd, address.raw_mutable(), &length) < 0) return UvLastError();
    address.set_length(length);
    *out = address;
    return 0;
  }

  int Ref(HandleId id, bool ref) override {
    Conn* conn = Find(id);
    if (conn == nullptr) return UV_EBADF;
    conn->ref = ref;
    UpdateActive(conn);
    return 0;
  }

  size_t QueuedBytes(HandleId id) const override {
    const Conn* conn = Find(id);
    if (conn == nullptr) return 0;
    return static_cast<size_t>(conn->appended - conn->acked);
  }

 private:
  struct CloseDeadline {
    HandleId id;
    uint64_t deadline_ms;
  };
  struct Retry {
    HandleId id;
    uint64_t deadline_ms;
    bool recv;  // else send
  };
  // One IORING_OP_TIMEOUT in the kernel. The kernel copies `spec` when it
  // takes the SQE; the slot is busy until the timeout's CQE.
  struct TimerSlot {
    __kernel_timespec spec{};
    uint64_t deadline_ms = 0;
    bool armed = false;
  };

  // Teardown (rule 9 even at exit): cancel every op still in the kernel and
  // reap until none is left (bounded), so no send still reads a buffer and
  // no recv writes into memory we are about to free.
  void CancelEverything() {
    if (ring_.fd() < 0) return;
    size_t outstanding = 0;
    for (Conn* conn : all_conns_) {
      if (conn->id == 0 || conn->inflight == 0) continue;
      outstanding += conn->inflight;
      conn->recv_cancel_sent = false;
      io_uring_sqe* sqe = GetSqe();
      if (sqe == nullptr) break;
      sqe->opcode = IORING_OP_ASYNC_CANCEL;
      sqe->fd = conn->fd;
      sqe->cancel_flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
      sqe->user_data = UserData(conn->id, Op::kCancel);
      ++conn->inflight;
    }
    if (outstanding == 0) return;
    ring_.Submit();
    for (int round = 0; round < 100; ++round) {
      bool busy = false;
      for (Conn* conn : all_conns_) busy = busy || (conn->id != 0 && conn->inflight > 0);
      if (!busy) return;
      ring_.WaitForCompletion(10);
      if (ring_.CqOverflowed()) ring_.FlushOverflow();
      while (io_uring_cqe* cqe = ring_.PeekCqe()) {
        uint64_t user_data = cqe->user_data;
        int32_t res = cqe->res;
        uint32_t flags = cqe->flags;
        ring_.Consume();
        Op op = static_cast<Op>(user_data & 0xff);
        Conn* conn = Find(user_data >> 8);
        if (op == Op::kAccept && res >= 0) close(res);
        if (conn == nullptr || op == Op::kTimer || op == Op::kWake || op == Op::kProvide) continue;
        bool final_cqe = op != Op::kAccept || !(flags & IORING_CQE_F_MORE);
        if (final_cqe && conn->inflight > 0) --conn->inflight;
      }
    }
  }

  // ---------------------------------------------------------------- handles

  Conn* Find(HandleId id) const { return static_cast<Conn*>(handles_.Lookup(id)); }

  Conn* NewConn(int fd, int family) {
    Conn* conn;
    if (!free_conns_.empty()) {
      conn = free_conns_.back();
      free_conns_.pop_back();
    } else {
      conn = new Conn();
      all_conns_.push_back(conn);
    }
    // Fresh state, but keep the queues' storage for reuse.
    RingQueue<Segment> segments = std::move(conn->segments);
    RingQueue<WriteRecord> writes = std::move(conn->writes);
    std::vector<iovec> iov_heap = std::move(conn->iov_heap);
    *conn = Conn();
    segments.clear();
    writes.clear();
    conn->segments = std::move(segments);
    conn->writes = std::move(writes);
    conn->iov_heap = std::move(iov_heap);
    conn->family = family;
    conn->fd = fd;
    conn->id = handles_.Allocate(conn);
    return conn;
  }

  void ReleaseConn(Conn* conn) {
    if (conn->active_counted) {
      conn->active_counted = false;
      --active_refed_;
    }
    handles_.Release(conn->id);
    conn->id = 0;
    free_conns_.push_back(conn);
  }

  static int CloseWithError(int fd) {
    int err = UvLastError();
    close(fd);
    return err;
  }

  // Like libuv: a listening or reading handle keeps the loop alive only while
  // ref'd, but pending requests (connect, write, shutdown) and a handle being
  // closed keep it alive even when unref'd (libuv's active reqs and closing
  // handles), so e.g. an unref'd socket's last write still completes.
  void UpdateActive(Conn* conn) {
    bool active = conn->id != 0 &&
                  ((conn->ref && (conn->listening || (conn->reading && !conn->eof && !conn->read_failed))) ||
                   conn->connecting || conn->closing || conn->WritesPending() ||
                   (conn->shutdown_requested && !conn->shutdown_done));
    if (active != conn->active_counted) {
      conn->active_counted = active;
      active_refed_ += active ? 1 : -1;
    }
  }

  // ---------------------------------------------------------------- SQEs

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

  void ArmAccept(Conn* conn) {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) return;
    sqe->opcode = IORING_OP_ACCEPT;
    sqe->fd = conn->fd;
    sqe->ioprio = IORING_ACCEPT_MULTISHOT;
    sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
    sqe->user_data = UserData(conn->id, Op::kAccept);
    conn->accept_armed = true;
    ++conn->inflight;
  }

  bool NeedsRecv(const Conn* conn) const {
    return conn->reading && conn->connected && !conn->closing && !conn->eof && !conn->read_failed &&
           !conn->recv_armed && !conn->starved && !conn->stash_scheduled && !conn->recv_retry_pending;
  }

  void ArmRecv(Conn* conn) {
    if (!NeedsRecv(conn)) return;
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      // SQ full: wait with the starved recvs (retried at the end of a Drain)
      // rather than be forgotten with neither a recv nor a queue entry.
      QueueStarved(conn);
      return;
    }
    sqe->opcode = IORING_OP_RECV;
    sqe->fd = conn->fd;
    sqe->flags = IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufferGroup;
    // Single-shot (see the top of this file). No IORING_RECVSEND_POLL_FIRST:
    // a recv armed right after the previous one usually finds data at once.
    sqe->user_data = UserData(conn->id, Op::kRecv);
    conn->recv_armed = true;
    conn->recv_cancel_sent = false;
    ++conn->inflight;
  }

  void PostCancel(Conn* conn, uint64_t target, bool all_on_fd) {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) return;
    sqe->opcode = IORING_OP_ASYNC_CANCEL;
    if (all_on_fd) {
      sqe->fd = conn->fd;
      sqe->cancel_flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
    } else {
      sqe->fd = -1;
      sqe->addr = target;
    }
    sqe->user_data = UserData(conn->id, Op::kCancel);
    ++conn->inflight;
  }

  void CancelRecv(Conn* conn) {
    conn->starved = false;  // its queue entry is skipped when popped
    if (conn->recv_armed && !conn->recv_cancel_sent) {
      conn->recv_cancel_sent = true;
      PostCancel(conn, UserData(conn->id, Op::kRecv), false);
    }
  }

  // Cancels every op of the handle (abort, reset, closing an idle handle).
  void CancelAll(Conn* conn) {
    conn->starved = false;
    if (conn->inflight > 0) {
      conn->recv_cancel_sent = true;
      PostCancel(conn, 0, true);
    }
  }

  void MarkDirty(Conn* conn) {
    if (!conn->send_dirty) {
      conn->send_dirty = true;
      dirty_.push_back(conn->id);
    }
  }

  // Makes sure a timer fires by the earliest pending deadline (close
  // deadlines and retries): posts one unless an armed one fires earlier.
  void ArmTimer() {
    uint64_t deadline = UINT64_MAX;
    if (!close_deadlines_.empty()) deadline = close_deadlines_.front().deadline_ms;
    if (!retries_.empty() && retries_.front().deadline_ms < deadline) deadline = retries_.front().deadline_ms;
    if (deadline == UINT64_MAX) return;
    TimerSlot* free_slot = nullptr;
    for (TimerSlot& slot : timers_) {
      if (slot.armed && slot.deadline_ms <= deadline) return;
      if (!slot.armed && free_slot == nullptr) free_slot = &slot;
    }
    if (free_slot == nullptr) return;  // every slot busy: one of them fires first and re-arms
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) return;
    uint64_t now = NowMs();
    uint64_t wait = deadline > now ? deadline - now : 1;
    free_slot->spec.tv_sec = static_cast<long long>(wait / 1000);
    free_slot->spec.tv_nsec = static_cast<long long>((wait % 1000) * 1000000);
    free_slot->deadline_ms = deadline;
    free_slot->armed = true;
    sqe->opcode = IORING_OP_TIMEOUT;
    sqe->fd = -1;
    sqe->addr = reinterpret_cast<uint64_t>(&free_slot->spec);
    sqe->len = 1;
    sqe->off = 0;
    sqe->user_data = UserData(static_cast<HandleId>(free_slot - timers_), Op::kTimer);
  }

  // Rule 16: a transient refusal is tried again after kRetryDelayMs.
  void ScheduleRetry(Conn* conn, bool recv) {
    bool& pending = recv ? conn->recv_retry_pending : conn->send_retry_pending;
    if (pending) return;
    pending = true;
    retries_.push_back(Retry{conn->id, NowMs() + kRetryDelayMs, recv});
    ArmTimer();
  }

  // ---------------------------------------------------------------- writing

  void CopyIntoChunks(Conn* conn, const uint8_t* data, size_t size) {
    while (size > 0) {
      if (conn->tail_chunk == nullptr) {
        conn->tail_chunk = send_pool_.Acquire();
        if (conn->tail_chunk == nullptr) std::abort();  // out of memory
        ChunkRefs(conn->tail_chunk) = 0;
        conn->tail_used = kChunkHeader;
      }
      size_t room = send_pool_.buffer_size() - conn->tail_used;
      size_t n = size < room ? size : room;
      uint8_t* destination = conn->tail_chunk + conn->tail_used;
      std::memcpy(destination, data, n);
      // Extend the last queued segment when the copy is contiguous with it and
      // it is not part of the sendmsg in flight (rule 1: coalesce).
      bool extended = false;
      if (conn->segments.size() > conn->inflight_segments) {
        Segment& last = conn->segments.back();
        if (last.chunk == conn->tail_chunk && last.data + last.size == destination) {
          last.size += n;
          extended = true;
        }
      }
      if (!extended) {
        conn->segments.push_back(Segment{destination, n, conn->tail_chunk});
        ++ChunkRefs(conn->tail_chunk);
      }
      conn->tail_used += n;
      if (conn->tail_used == send_pool_.buffer_size()) conn->tail_chunk = nullptr;  // full; refs keep it
      data += n;
      size -= n;
    }
  }

  void ReleaseSegment(Conn* conn, const Segment& segment) {
    if (segment.chunk == nullptr) return;
    if (--ChunkRefs(segment.chunk) == 0) {
      if (segment.chunk == conn->tail_chunk) conn->tail_chunk = nullptr;
      send_pool_.Release(segment.chunk);
    }
  }

  void ResetWriteState(Conn* conn) {
    while (!conn->segments.empty()) {
      ReleaseSegment(conn, conn->segments.front());
      conn->segments.pop_front();
    }
    if (conn->tail_chunk != nullptr && ChunkRefs(conn->tail_chunk) == 0) send_pool_.Release(conn->tail_chunk);
    conn->tail_chunk = nullptr;
    conn->inflight_segments = 0;
  }

  // Called at Flush: hand the queued bytes to the kernel in one sendmsg.
  void StartSend(Conn* conn) {
    if (conn->send_inflight || conn->send_retry_pending || !conn->connected || conn->finalized) return;
    if (conn->closing && !conn->close_flushes) return;
    if (conn->write_error != 0) {
      if (!conn->writes_fail_after_read) FailWrites(conn, conn->write_error);
      return;
    }
    if (conn->segments.empty()) {
      CompleteWrites(conn);  // zero-byte writes
      MaybeShutdown(conn);
      MaybeFinishClose(conn);
      return;
    }
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      MarkDirty(conn);  // try again next turn
      return;
    }
    size_t n = conn->segments.size() < kMaxIov ? conn->segments.size() : kMaxIov;
    iovec* iov = conn->iov_inline;
    if (n > kInlineIov) {
      if (conn->iov_heap.size() < n) conn->iov_heap.resize(n);
      iov = conn->iov_heap.data();
    }
    for (size_t i = 0; i < n; ++i) {
      const Segment& segment = conn->segments[i];
      iov[i].iov_base = const_cast<uint8_t*>(segment.data);
      iov[i].iov_len = segment.size;
    }
    std::memset(&conn->msg, 0, sizeof(conn->msg));
    conn->msg.msg_iov = iov;
    conn->msg.msg_iovlen = n;
    sqe->opcode = IORING_OP_SENDMSG;
    sqe->fd = conn->fd;
    sqe->addr = reinterpret_cast<uint64_t>(&conn->msg);
    sqe->len = 1;
    sqe->msg_flags = MSG_NOSIGNAL;
    sqe->user_data = UserData(conn->id, Op::kSend);
    conn->send_inflight = true;
    conn->inflight_segments = n;
    ++conn->inflight;
  }

  // The kernel took `bytes`: drop sent segments, finish covered writes.
  void Acknowledge(Conn* conn, size_t bytes) {
    conn->acked += bytes;
    while (bytes > 0 && !conn->segments.empty()) {
      Segment& front = conn->segments.front();
      size_t n = bytes < front.size ? bytes : front.size;
      front.data += n;
      front.size -= n;
      bytes -= n;
      if (front.size == 0) {
        ReleaseSegment(conn, front);
        conn->segments.pop_front();
      }
    }
    CompleteWrites(conn);
  }

  void CompleteWrites(Conn* conn) {
    while (!conn->writes.empty() && conn->writes.front().end <= conn->acked) {
      QueueEvent(EventKind::kWritten, conn->id, 0, conn->writes.front().token);
      conn->writes.pop_front();
    }
  }

  // Every write not yet finished fails with `status`, in order.
  void FailWrites(Conn* conn, int status) {
    ResetWriteState(conn);
    while (!conn->writes.empty()) {
      QueueEvent(EventKind::kWritten, conn->id, status, conn->writes.front().token);
      conn->writes.pop_front();
    }
    conn->acked = conn->appended;
  }

  void MaybeShutdown(Conn* conn) {
    if (!conn->shutdown_requested || conn->shutdown_done || !conn->connected || conn->closing) return;
    if (conn->WritesPending()) return;
    conn->shutdown_done = true;
    int status = shutdown(conn->fd, SHUT_WR) < 0 ? UvLastError() : 0;
    QueueEvent(EventKind::kShutdown, conn->id, status, 0);
  }

  // ---------------------------------------------------------------- closing

  void SetLingerZero(Conn* conn) {
    linger value;
    value.l_onoff = 1;
    value.l_linger = 0;
    setsockopt(conn->fd, SOL_SOCKET, SO_LINGER, &value, sizeof(value));
  }

  // server.close() stops listening at once, as closing node's listening fd
  // does: from here on connects are refused, not accepted into the backlog
  // and then reset (shutdown of a listening TCP socket leaves the LISTEN
  // state; a Unix one refuses connects once shut down). The path goes now
  // too, so a new server can take it. The fd itself closes once the accept
  // is cancelled (rule 9).
  void StopListening(Conn* conn) {
    conn->listening = false;
    shutdown(conn->fd, SHUT_RDWR);
    if (!conn->unlink_path.empty()) {
      unlink(conn->unlink_path.c_str());
      conn->unlink_path.clear();
    }
  }

  // kAbort: the committed writes (the user was told they are done, as node
  // says once the kernel has them) go to the kernel now, as far as it takes
  // them without waiting; everything else is cancelled (uv_close). With a
  // sendmsg in flight the kernel is already reading the front of the queue,
  // where committed writes are: the cancel keeps what it took.
  void SendCommittedNow(Conn* conn) {
    if (conn->send_inflight || conn->committed_end <= conn->acked || !conn->connected || conn->write_error != 0) return;
    iovec iov[kMaxIov];
    size_t n = 0;
    uint64_t offset = conn->acked;
    for (size_t i = 0; i < conn->segments.size() && n < kMaxIov && offset < conn->committed_end; ++i) {
      const Segment& segment = conn->segments[i];
      size_t take = segment.size;
      if (offset + take > conn->committed_end) take = static_cast<size_t>(conn->committed_end - offset);
      iov[n].iov_base = const_cast<uint8_t*>(segment.data);
      iov[n].iov_len = take;
      offset += take;
      ++n;
    }
    msghdr msg;
    std::memset(&msg, 0, sizeof(msg));
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    ssize_t sent;
    do {
      sent = sendmsg(conn->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent > 0) Acknowledge(conn, static_cast<size_t>(sent));
  }

  void Escalate(Conn* conn, CloseMode mode) {
    conn->close_mode = mode;
    conn->close_flushes = false;
    if (mode == CloseMode::kReset) SetLingerZero(conn);
    CancelAll(conn);
    MaybeFinishClose(conn);
    UpdateActive(conn);
  }

  // Closes the fd once nothing of the handle is left in the kernel (rule 9).
  void MaybeFinishClose(Conn* conn) {
    if (!conn->closing || conn->finalized) return;
    bool graceful = conn->close_mode == CloseMode::kGraceful;
    if (conn->close_flushes && conn->connected && conn->write_error == 0 && conn->WritesPending()) return;
    if (graceful && conn->connected && !conn->shutdown_done && conn->write_error == 0) {
      // Every byte is in the kernel: send FIN before the close (rule 6).
      conn->shutdown_done = true;
      shutdown(conn->fd, SHUT_WR);
      if (conn->shutdown_requested) QueueEvent(EventKind::kShutdown, conn->id, 0, 0);
    }
    if (conn->inflight > 0) {
      // Whatever is left (recv, accept, connect) was cancelled by Close();
      // if writes just finished, make sure nothing else lingers.
      if (!conn->recv_cancel_sent) CancelAll(conn);
      return;
    }
    conn->finalized = true;
    if (graceful && conn->connected) DiscardUnread(conn->fd);
    close(conn->fd);
    conn->fd = -1;
    if (!conn->unlink_path.empty()) unlink(conn->unlink_path.c_str());
    DropStash(conn);
    FailWrites(conn, UV_ECANCELED);
    if (conn->shutdown_requested && !conn->shutdown_done) {
      conn->shutdown_done = true;
      QueueEvent(EventKind::kShutdown, conn->id, UV_ECANCELED, 0);
    }
    Event event{};
    event.kind = EventKind::kClosed;
    event.handle = conn->id;
    events_.push_back(QueuedEvent{event, Action::kDeliverClosed});
  }

  // close() on a socket with unread received bytes sends RST and drops the
  // send queue, i.e. bytes Write() accepted but not yet transmitted. A
  // graceful close reads and discards what the peer sent meanwhile (bounded),
  // so the close sends FIN and the kernel still delivers everything (rule 6).
  void DiscardUnread(int fd) {
    uint8_t sink[16 * 1024];
    for (int i = 0; i < 64; ++i) {
      ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
      if (n <= 0) return;
    }
  }

  // ---------------------------------------------------------------- stash

  static bool HasStash(const Conn* conn) {
    return !conn->stash.empty() || conn->stash_eof || conn->stash_error != 0;
  }

  void DropStash(Conn* conn) {
    std::vector<uint8_t>().swap(conn->stash);
    conn->stash_eof = false;
    conn->stash_error = 0;
  }

  void ScheduleStash(Conn* conn) {
    if (conn->stash_scheduled) return;
    conn->stash_scheduled = true;
    Event event{};
    event.handle = conn->id;
    events_.push_back(QueuedEvent{event, Action::kStash});
  }

  void DeliverStash(HandleId id) {
    Conn* conn = Find(id);
    if (conn == nullptr) return;
    conn->stash_scheduled = false;
    if (conn->closing || !conn->reading) return;
    if (!conn->stash.empty()) {
      scratch_.clear();
      scratch_.swap(conn->stash);  // keeps both buffers' capacity for reuse
      DeliverData(conn, scratch_.data(), scratch_.size());
    }
    conn = Find(id);
    if (conn == nullptr || conn->closing || !conn->reading) return;
    if (conn->stash_eof) {
      conn->stash_eof = false;
      Deliver(MakeEvent(EventKind::kEnd, id, 0, 0));
    } else if (conn->stash_error != 0) {
      int error = conn->stash_error;
      conn->stash_error = 0;
      Deliver(MakeEvent(EventKind::kReadError, id, error, 0));
    }
    conn = Find(id);
    if (conn != nullptr) {
      ArmRecv(conn);
      UpdateActive(conn);
    }
  }

  // ---------------------------------------------------------------- events

  static Event MakeEvent(EventKind kind, HandleId id, int status, uint64_t token) {
    Event event{};
    event.kind = kind;
    event.handle = id;
    event.status = status;
    event.token = token;
    return event;
  }

  void QueueEvent(EventKind kind, HandleId id, int status, uint64_t token) {
    events_.push_back(QueuedEvent{MakeEvent(kind, id, status, token), Action::kDeliver});
  }

  void Deliver(const Event& event) {
    ++delivered_;
    sink_->OnEvent(event);
  }

  // Makes sure the loop comes back to Drain: a NOP's CQE makes the poll fd
  // readable (once submitted by the next Flush).
  void QueueWake() {
    if (wake_pending_) return;
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) return;
    sqe->opcode = IORING_OP_NOP;
    sqe->user_data = UserData(0, Op::kWake);
    wake_pending_ = true;
  }

  void DeliverData(Conn* conn, const uint8_t* data, size_t size) {
    Event event = MakeEvent(EventKind::kData, conn->id, 0, 0);
    event.data = data;
    event.size = static_cast<uint32_t>(size);
    Deliver(event);
  }

  // Hands every queued event to the sink, including ones queued meanwhile.
  void DeliverQueued() {
    while (!events_.empty()) {
      QueuedEvent queued = events_.front();
      events_.pop_front();
      switch (queued.action) {
        case Action::kDeliver:
          Deliver(queued.event);
          break;
        case Action::kDeliverClosed: {
          Conn* conn = Find(queued.event.handle);
          if (conn != nullptr) ReleaseConn(conn);  // the id is dead from here on
          Deliver(queued.event);
          break;
        }
        case Action::kStash:
          DeliverStash(queued.event.handle);
          break;
      }
    }
  }

  // ---------------------------------------------------------------- completions

  void HandleCompletion(uint64_t user_data, int32_t res, uint32_t flags) {
    Op op = static_cast<Op>(user_data & 0xff);
    HandleId id = user_data >> 8;
    if (op == Op::kWake) {
      wake_pending_ = false;
      return;
    }
    if (op == Op::kProvide) return;  // a failed buffer hand-back; the buffer stays ours
    if (op == Op::kTimer) {
      if (id < kTimerSlots) timers_[id].armed = false;
      OnTimer();
      return;
    }
    Conn* conn = Find(id);
    if (conn == nullptr) {
      // Cannot happen (rule 9), but never leak a ring buffer or an fd.
      if (flags & IORING_CQE_F_BUFFER) ReturnBuffer(static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT));
      if (op == Op::kAccept && res >= 0) close(res);
      return;
    }
    switch (op) {
      case Op::kAccept: OnAccept(conn, res, flags); break;
      case Op::kRecv: OnRecv(conn, res, flags); break;
      case Op::kSend: OnSend(conn, res); break;
      case Op::kConnect: OnConnect(conn, res); break;
      case Op::kCancel: --conn->inflight; break;
      default: break;
    }
    conn = Find(id);
    if (conn != nullptr) {
      MaybeFinishClose(conn);
      UpdateActive(conn);
    }
  }

  void OnAccept(Conn* listener, int32_t res, uint32_t flags) {
    bool more = (flags & IORING_CQE_F_MORE) != 0;
    if (!more) {
      listener->accept_armed = false;
      --listener->inflight;
    }
    if (res >= 0) {
      if (listener->closing) {
        close(res);
      } else {
        Conn* conn = NewConn(res, listener->family);
        conn->connected = true;
        Event event = MakeEvent(EventKind::kConnection, listener->id, 0, 0);
        event.peer = conn->id;
        events_.push_back(QueuedEvent{event, Action::kDeliver});
      }
    } else if (res == -EAGAIN || res == -EWOULDBLOCK || res == -EINTR || res == -ECONNABORTED) {
      // Nothing to accept after all, or the peer gave up first: not an
      // error (libuv ignores these too).
    } else if (res != -ECANCELED && !listener->closing) {
      int status = UvErrorFromSystem(-res);
      if (res == -EMFILE || res == -ENFILE) status = ShedPendingConnections(listener->fd, status);
      if (status != 0) QueueEvent(EventKind::kConnection, listener->id, status, 0);
    }
    if (!more && listener->listening && !listener->closing) ArmAccept(listener);
  }

  // Out of file descriptors (libuv's "EMFILE trick"): free the reserve fd,
  // accept and close every pending connection so clients are not left
  // hanging and the multishot accept does not spin, then take the reserve
  // back. Returns 0 when the backlog was drained (nothing to report, as in
  // libuv), else the error to report.
  int ShedPendingConnections(int listener_fd, int status) {
    if (reserve_fd_ < 0) return status;
    close(reserve_fd_);
    reserve_fd_ = -1;
    int result = status;
    for (;;) {
      int fd = accept4(listener_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        close(fd);
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) result = 0;
      else if (errno == EINTR) continue;
      break;
    }
    reserve_fd_ = open("/", O_RDONLY | O_CLOEXEC);
    return result;
  }

  void OnRecv(Conn* conn, int32_t res, uint32_t flags) {
    HandleId id = conn->id;
    conn->recv_armed = false;  // single-shot: every CQE ends the recv
    --conn->inflight;
    if (res > 0) {
      uint16_t buffer_id = static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
      const uint8_t* data = buffers_.Buffer(buffer_id);
      if (!conn->closing) {
        if (conn->reading && !HasStash(conn)) {
          DeliverData(conn, data, static_cast<size_t>(res));
        } else {
          // Arrived after ReadStop (at most one buffer: no recv follows it
          // until ReadStart): copy, so the socket holds no ring buffer.
          conn->stash.insert(conn->stash.end(), data, data + res);
        }
      }
      ReturnBuffer(buffer_id);
    } else if (res == 0 && conn->writes_fail_after_read && conn->write_error != UV_EPIPE) {
      // The failed send took the socket's error (a reset), so this recv
      // only sees the closed socket. node's read would have got the error:
      // report it as the read's.
      ReadFailed(conn, conn->write_error);
    } else if (res == 0) {
      if (!conn->closing) {
        conn->eof = true;
        if (conn->reading && !HasStash(conn)) {
          QueueEvent(EventKind::kEnd, id, 0, 0);
        } else {
          conn->stash_eof = true;
        }
      }
    } else if (res == -ENOBUFS) {
      // The ring ran dry: wait in line for a returned buffer (rule 14).
      if (!conn->closing && conn->reading) {
        QueueStarved(conn);
        // Grown buffers count as returned ones: one starved recv each.
        for (uint32_t added = buffers_.Grow(); added > 0 && !starved_.empty(); --added) RearmOneStarved();
      }
    } else if (IsTransient(res)) {
      // Not now (rule 16): the bytes stay in the kernel; try again shortly.
      if (flags & IORING_CQE_F_BUFFER) ReturnBuffer(static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT));
      if (!conn->closing && conn->reading) ScheduleRetry(conn, true);
    } else if (res != -ECANCELED) {
      if (flags & IORING_CQE_F_BUFFER) ReturnBuffer(static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT));
      ReadFailed(conn, UvErrorFromSystem(-res));
    }
    conn = Find(id);  // the sink may have closed it (still valid until kClosed)
    if (conn != nullptr) {
      if (conn->reading && HasStash(conn)) {
        ScheduleStash(conn);
      } else {
        ArmRecv(conn);
      }
      if (conn->writes_fail_after_read && !conn->recv_armed) {
        conn->writes_fail_after_read = false;
        FailWrites(conn, conn->write_error);
      }
    }
  }

  void ReadFailed(Conn* conn, int status) {
    if (conn->closing) return;
    conn->read_failed = true;
    if (conn->reading && !HasStash(conn)) {
      QueueEvent(EventKind::kReadError, conn->id, status, 0);
    } else {
      conn->stash_error = status;
    }
  }

  void QueueStarved(Conn* conn) {
    conn->starved = true;
    if (!conn->in_starved_queue) {
      conn->in_starved_queue = true;
      starved_.push_back(conn->id);
    }
  }

  void ReturnBuffer(uint16_t buffer_id) {
    buffers_.Return(buffer_id);
    if (buffers_.ring_mapped()) buffers_.Publish();  // one store: the kernel may reuse it at once
    RearmOneStarved();  // at most one starved recv per returned buffer
  }

  void RearmOneStarved() {
    while (!starved_.empty()) {
      HandleId id = starved_.front();
      starved_.pop_front();
      Conn* conn = Find(id);
      if (conn == nullptr) continue;
      conn->in_starved_queue = false;
      if (!conn->starved) continue;
      conn->starved = false;
      if (NeedsRecv(conn)) {
        buffers_.Publish();
        ArmRecv(conn);
        return;
      }
    }
  }

  // Progress guarantee. Re-arming one starved recv per returned buffer is
  // not enough on its own: a recv whose -ENOBUFS is reaped after the buffers
  // it lacked already came back (the usual order: the kernel fills every
  // buffer, then fails, and the data CQEs come first) waits for a return
  // that may never come; the ring fd then stays quiet and the connection
  // stalls with its bytes in the kernel (a TLS echo over a 4-buffer ring hung
  // this way). Here every buffer we were handed is back in the ring,
  // so up to circulating() starved recvs can be served: re-arm that many.
  // Each has bytes waiting, so each yields a CQE (data or -ENOBUFS again),
  // and the next Drain continues until the queue is empty.
  void RearmStarvedAfterDrain() {
    for (uint32_t n = buffers_.circulating(); n > 0 && !starved_.empty(); --n) RearmOneStarved();
  }

  void OnSend(Conn* conn, int32_t res) {
    --conn->inflight;
    conn->send_inflight = false;
    conn->inflight_segments = 0;
    if (res >= 0) {
      Acknowledge(conn, static_cast<size_t>(res));
    } else if (IsTransient(res)) {
      // Nothing was sent; the queue is intact. Rule 16.
      if (!(conn->closing && !conn->close_flushes)) ScheduleRetry(conn, false);
      return;
    } else {
      int status = UvErrorFromSystem(-res);
      conn->write_error = status;
      if (conn->recv_armed && !conn->closing) {
        // A dead connection fails the send and the recv alike. libuv reads
        // before it writes, so node reports the peer's reset as a read
        // error ('read ECONNRESET', after any bytes still to read) and the
        // failed write's callback, on a destroyed socket, gets none: fail
        // the writes once the recv has ended (OnRecv).
        conn->writes_fail_after_read = true;
      } else {
        FailWrites(conn, status);
      }
    }
    if (!conn->segments.empty() || !conn->writes.empty()) {
      // Partial send or writes queued meanwhile: next gathered sendmsg.
      if (!(conn->closing && !conn->close_flushes)) MarkDirty(conn);
    }
    MaybeShutdown(conn);
  }

  void OnConnect(Conn* conn, int32_t res) {
    --conn->inflight;
    conn->connecting = false;
    int status = conn->closing ? UV_ECANCELED : (res < 0 ? UvErrorFromSystem(-res) : 0);
    QueueEvent(EventKind::kConnect, conn->id, status, 0);
    if (status == 0) {
      conn->connected = true;
      if (!conn->writes.empty()) MarkDirty(conn);
      ArmRecv(conn);
      MaybeShutdown(conn);
    } else {
      // Like libuv: writes queued on a failed connect are cancelled.
      FailWrites(conn, UV_ECANCELED);
    }
  }

  void OnTimer() {
    uint64_t now = NowMs();
    while (!close_deadlines_.empty()) {
      CloseDeadline head = close_deadlines_.front();
      Conn* conn = Find(head.id);
      if (conn == nullptr || conn->finalized || !conn->closing || !conn->close_flushes) {
        close_deadlines_.pop_front();
        continue;
      }
      if (head.deadline_ms > now) break;
      close_deadlines_.pop_front();
      // Rule 6: a graceful close that cannot finish in time is aborted.
      Escalate(conn, CloseMode::kAbort);
    }
    while (!retries_.empty() && retries_.front().deadline_ms <= now) {
      Retry retry = retries_.front();
      retries_.pop_front();
      Conn* conn = Find(retry.id);
      if (conn == nullptr) continue;
      if (retry.recv) {
        conn->recv_retry_pending = false;
        ArmRecv(conn);
      } else {
        conn->send_retry_pending = false;
        MarkDirty(conn);  // StartSend at the next Flush
      }
      UpdateActive(conn);
    }
    ArmTimer();
  }

  BackendOptions options_;
  Ring ring_;
  BufferRing buffers_;
  BufferPool send_pool_;
  HandleTable handles_;
  std::vector<Conn*> all_conns_;   // owns every Conn
  std::vector<Conn*> free_conns_;
  std::vector<HandleId> dirty_;    // sockets with writes to start at Flush
  std::vector<HandleId> flushing_;
  RingQueue<HandleId> starved_;    // recvs waiting for a ring buffer, in arrival order
  RingQueue<QueuedEvent> events_;
  RingQueue<CloseDeadline> close_deadlines_;  // FIFO == deadline order (one timeout value)
  RingQueue<Retry> retries_;                  // likewise (one retry delay)
  TimerSlot timers_[kTimerSlots];
  bool wake_pending_ = false;
  int reserve_fd_ = -1;  // see ShedPendingConnections
  EventSink* sink_ = nullptr;
  size_t delivered_ = 0;
  std::vector<uint8_t> scratch_;
  long active_refed_ = 0;
};

}  // namespace

std::unique_ptr<Backend> CreateUringBackend(const BackendOptions& options, int* error, std::string* why) {
  std::unique_ptr<UringBackend> backend(new UringBackend(options));
  int result = backend->Init(why);
  if (result < 0) {
    *error = UvErrorFromSystem(-result);
    return nullptr;
  }
  *error = 0;
  return backend;
}

}  // namespace uring
}  // namespace iocpnet

#include "core/engine_core.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <time.h>
#endif

#include <cstring>

#include "errors.h"

namespace iocpnet {

namespace {

// A send or receive the kernel refused for now is tried again after this long
// (rule 16).
constexpr uint64_t kRetryDelayMs = 2;

// Refusals that say "not now", never "this connection failed" (rule 16):
// the operation is tried again later and the user never sees them.
bool IsTransient(int status) {
  return status == UV_EAGAIN || status == UV_ENOBUFS || status == UV_ENOMEM || status == UV_EINTR;
}

Event MakeEvent(EventKind kind, HandleId id, int status, uint64_t token) {
  Event event{};
  event.kind = kind;
  event.handle = id;
  event.status = status;
  event.token = token;
  return event;
}

}  // namespace

EngineCore::EngineCore(const BackendOptions& options)
    : options_(options), send_pool_(SendQueue::kChunkSize, SendQueue::kCachedChunks) {}

EngineCore::~EngineCore() {
  // The backend's destructor has ended every operation in the kernel.
  for (Connection* conn : all_) {
    sockets::Close(conn->fd);
    conn->send.Release(send_pool_);
    delete conn;
  }
}

uint64_t EngineCore::NowMs() {
#ifdef _WIN32
  // The performance counter, not GetTickCount64: the tick moves in steps
  // (15.6 ms on Windows; under Wine it lagged the counter by up to 31 ms),
  // and an idle deadline stamped from a lagging tick fired that much early.
  static const int64_t frequency = [] {
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    return static_cast<int64_t>(f.QuadPart);
  }();
  LARGE_INTEGER counter;
  QueryPerformanceCounter(&counter);
  return static_cast<uint64_t>(counter.QuadPart / frequency) * 1000 +
         static_cast<uint64_t>(counter.QuadPart % frequency) * 1000 / static_cast<uint64_t>(frequency);
#else
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
#endif
}

size_t EngineCore::ReadBufferSize() const {
  size_t page = BufferPool::PageSize();
  size_t size = options_.read_buffer_size == 0 ? 64 * 1024 : options_.read_buffer_size;
  size = (size + page - 1) / page * page;
  return size > 64 * 1024 ? 64 * 1024 : size;
}

// ------------------------------------------------------------------ handles

Connection* EngineCore::Adopt(SocketHandle fd, int family) {
  Connection* conn;
  if (!free_.empty()) {
    conn = free_.back();
    free_.pop_back();
  } else {
    conn = NewConnection();
    all_.push_back(conn);
  }
  // Fresh state; the send queue and stash keep their storage.
  static_cast<ConnectionState&>(*conn) = ConnectionState();
  conn->send.Reset(send_pool_);
  conn->stash.clear();
  conn->ResetBackendState();
  conn->fd = fd;
  conn->family = family;
  conn->id = handles_.Allocate(conn);
  return conn;
}

void EngineCore::Release(Connection* conn) {
  idle_.Remove(conn);
  if (conn->active_counted) {
    conn->active_counted = false;
    --active_refed_;
  }
  handles_.Release(conn->id);
  conn->id = 0;
  free_.push_back(conn);
}

// Like libuv: a listening or reading handle keeps the loop alive only while
// ref'd, but pending requests (connect, write, shutdown) and a handle being
// closed keep it alive even when unref'd (libuv's active reqs and closing
// handles), so e.g. an unref'd socket's last write still completes. This is
// the only place liveness is counted: the bridge asks HasRefedActiveHandles.
void EngineCore::UpdateActive(Connection* conn) {
  bool active = conn->id != 0 &&
                ((conn->ref && (conn->listening || (conn->reading && !conn->eof && !conn->read_failed))) ||
                 conn->connecting || conn->closing || conn->WritesPending() ||
                 (conn->shutdown_requested && !conn->shutdown_done));
  if (active != conn->active_counted) {
    conn->active_counted = active;
    active_refed_ += active ? 1 : -1;
  }
}

// ------------------------------------------------------------------ calls

int EngineCore::Listen(const SocketAddress& address, const ListenOptions& options, HandleId* out) {
  int family = address.family();
  if (family != AF_INET && family != AF_INET6 && family != AF_UNIX) return UV_EINVAL;
  SocketHandle fd = kInvalidSocket;
  int rc = sockets::OpenListener(address, options.backlog, options.ipv6_only, options.reuse_port, &fd);
  if (rc != 0) return rc;
  Connection* conn = Adopt(fd, family);
  rc = Register(conn);
  if (rc == 0) {
    conn->listener = true;
    conn->listening = true;
    rc = StartListening(conn);
  }
  if (rc != 0) {
    sockets::Close(fd);
    conn->fd = kInvalidSocket;
    Release(conn);
    return rc;
  }
  if (family == AF_UNIX) {
    std::string path = address.path();
    if (!path.empty() && path[0] != '\0') conn->unlink_path = path;
  }
  UpdateActive(conn);
  *out = conn->id;
  return 0;
}

int EngineCore::Connect(const SocketAddress& remote, const SocketAddress* local, HandleId* out) {
  int family = remote.family();
  if (family != AF_INET && family != AF_INET6 && family != AF_UNIX) return UV_EINVAL;
  SocketHandle fd = kInvalidSocket;
  int rc = sockets::OpenClient(remote, local, &fd);
  if (rc != 0) return rc;
  Connection* conn = Adopt(fd, family);
  rc = Register(conn);
  if (rc == 0) {
    conn->connecting = true;
    rc = StartConnect(conn, remote);
  }
  if (rc != 0) {
    sockets::Close(fd);
    conn->fd = kInvalidSocket;
    conn->connecting = false;
    Release(conn);
    return rc;
  }
  UpdateActive(conn);
  *out = conn->id;
  return 0;
}

int EngineCore::Open(intptr_t descriptor, bool duplicate, int listen_backlog, HandleId* out) {
  SocketHandle fd = static_cast<SocketHandle>(descriptor);
  sockets::SocketKind kind;
  int rc = sockets::Inspect(fd, &kind);
  if (rc != 0) return rc;
  if (kind.listening && listen_backlog < 0) return UV_EINVAL;
  if (!kind.listening && !kind.connected) {
    if (listen_backlog <= 0) return UV_EINVAL;
    rc = sockets::Listen(fd, listen_backlog);
    if (rc != 0) return rc;
    kind.listening = true;
  }
  if (duplicate) {
    rc = sockets::Duplicate(fd, &fd);
    if (rc != 0) return rc;
  }
  Connection* conn = Adopt(fd, kind.family);
  conn->adopted = true;
  rc = Register(conn);
  if (rc == 0 && kind.listening) {
    conn->listener = true;
    conn->listening = true;
    rc = StartListening(conn);
  }
  if (rc != 0) {
    Unregister(conn);
    if (duplicate) sockets::Close(fd);
    conn->fd = kInvalidSocket;  // not taken: the caller still owns it
    Release(conn);
    return rc;
  }
  conn->connected = !kind.listening;
  UpdateActive(conn);
  *out = conn->id;
  return 0;
}

int EngineCore::ReadStart(HandleId id) {
  Connection* conn = Find(id);
  if (conn == nullptr) return UV_EBADF;
  if (conn->listener) return UV_ENOTCONN;
  if (conn->closing) return UV_EINVAL;
  if (!conn->reading) {
    conn->reading = true;
    if (conn->HasStash()) {
      ScheduleStash(conn);  // delivered by the next Drain (Flush sees to it)
    } else {
      RearmReceive(conn);
    }
    UpdateActive(conn);
  }
  return 0;
}

int EngineCore::ReadStop(HandleId id) {
  Connection* conn = Find(id);
  if (conn == nullptr) return UV_EBADF;
  if (conn->listener) return UV_ENOTCONN;
  if (conn->reading) {
    // A receive already armed stays: a pause is usually undone within a turn
    // or two (a write's completion resumes it), and cancelling and re-arming
    // costs. It holds no buffer while it waits; the one it may still fill is
    // copied aside (stash) and none follows until ReadStart (rules 14, 17).
    conn->reading = false;
    UpdateActive(conn);
  }
  return 0;
}

int EngineCore::Write(HandleId id, const WriteSlice* slices, size_t count, uint64_t token, bool committed) {
  Connection* conn = Find(id);
  if (conn == nullptr) return UV_EBADF;
  if (conn->listener) return UV_ENOTCONN;
  if (conn->closing) return UV_EBADF;
  if (conn->shutdown_requested) return UV_EPIPE;
  if (!conn->connected && !conn->connecting) return UV_EPIPE;
  conn->send.Append(send_pool_, slices, count, token, committed);
  NoteWrite(conn);
  MarkDirty(conn);
  UpdateActive(conn);
  return 0;
}

int EngineCore::TryWrite(HandleId id, const WriteSlice* slices, size_t count, size_t* written,
                         bool first_of_turn) {
  *written = 0;
  Connection* conn = Find(id);
  if (conn == nullptr || conn->listener || !conn->connected || conn->closing || conn->finalized) return UV_EAGAIN;
  if (conn->shutdown_requested || conn->write_error != 0 || conn->WritesPending()) return UV_EAGAIN;
  // Small writes: only a turn's first; not on a socket that gathered several
  // writes in its last turn with writes (it most likely will again: one send
  // for all of them then, not two); and not after a large batch, where the
  // server is busy and latency is queueing (sending each reply as it is made
  // woke the client per reply, not per batch: HTTP at 100 connections lost
  // 5 % on epoll).
  if (first_of_turn && (conn->write_turn == send_turn_ || conn->gathers_writes ||
                        delivered_ > kEagerSendMaxBatch)) {
    return UV_EAGAIN;
  }
  IoBuffer buffers[kMaxSendBuffers];
  size_t n = 0;
  for (size_t i = 0; i < count && n < kMaxSendBuffers; ++i) {
    if (slices[i].size == 0) continue;
    size_t size = slices[i].size < kMaxIoBufferBytes ? slices[i].size : kMaxIoBufferBytes;
    SetIoBuffer(&buffers[n++], slices[i].data, size);
    if (size < slices[i].size) break;
  }
  if (n == 0) return UV_EAGAIN;
  int64_t sent = sockets::SendNow(conn->fd, buffers, n);
  if (sent < 0) return UV_EAGAIN;  // would block, or an error Write() will report
  NoteWrite(conn);
  *written = static_cast<size_t>(sent);
  conn->send.SentDirectly(*written);
  return 0;
}

int EngineCore::Shutdown(HandleId id) {
  Connection* conn = Find(id);
  if (conn == nullptr) return UV_EBADF;
  if (conn->listener || conn->closing || conn->shutdown_requested) return UV_ENOTCONN;
  if (!conn->connected && !conn->connecting) return UV_ENOTCONN;
  conn->shutdown_requested = true;
  MaybeShutdown(conn);
  UpdateActive(conn);
  return 0;
}

int EngineCore::Close(HandleId id, CloseMode mode) {
  Connection* conn = Find(id);
  if (conn == nullptr) return UV_EBADF;
  if (conn->closing) {
    // A stronger close may overtake a graceful one still flushing.
    if (!conn->finalized && conn->close_flushes && mode != CloseMode::kGraceful) Escalate(conn, mode);
    return 0;
  }
  conn->closing = true;
  conn->close_mode = mode;
  conn->reading = false;
  idle_.Remove(conn);
  DropStash(conn);
  if (conn->listener) {
    // server.close() stops listening at once, as closing node's listening fd
    // does: connects are refused from here on, not accepted into the backlog
    // and reset; the path goes now so a new server can take it. The socket
    // itself closes once the accept is cancelled (rule 9). Not a socket
    // opened from a descriptor: other processes may listen on it too (the
    // cluster workers sharing the primary's socket), and shutdown(2) would
    // stop it for every one of them.
    conn->listening = false;
    if (!conn->adopted) sockets::StopListening(conn->fd);
    if (!conn->unlink_path.empty()) {
      sockets::RemovePath(conn->unlink_path);
      conn->unlink_path.clear();
    }
  }
  if (mode == CloseMode::kReset) sockets::SetLingerZero(conn->fd);
  if (mode == CloseMode::kAbort) SendCommittedNow(conn);
  conn->close_flushes = mode == CloseMode::kGraceful && conn->connected && conn->WritesPending() &&
                        conn->write_error == 0;
  if (conn->close_flushes) {
    // Rule 6: keep sending, only the receive goes now; a deadline bounds it.
    if (conn->receive_armed) CancelReceive(conn);
    deadlines_.AddCloseTimeout(conn->id, NowMs() + options_.close_timeout_ms);
    ArmTimerForNextDeadline();
  } else {
    CancelAll(conn);
  }
  MaybeFinishClose(conn);
  UpdateActive(conn);
  return 0;
}

int EngineCore::SetNoDelay(HandleId id, bool enable) {
  Connection* conn = Find(id);
  if (conn == nullptr || conn->fd == kInvalidSocket) return UV_EBADF;
  if (conn->family == AF_UNIX) return 0;
  return sockets::SetNoDelay(conn->fd, enable);
}

int EngineCore::SetKeepAlive(HandleId id, bool enable, unsigned int initial_delay_secs, unsigned int interval_secs,
                             unsigned int count) {
  Connection* conn = Find(id);
  if (conn == nullptr || conn->fd == kInvalidSocket) return UV_EBADF;
  if (conn->family == AF_UNIX) return 0;
  return sockets::SetKeepAlive(conn->fd, enable, initial_delay_secs, interval_secs, count);
}

int EngineCore::SetTypeOfService(HandleId id, int tos) {
  Connection* conn = Find(id);
  if (conn == nullptr || conn->fd == kInvalidSocket) return UV_EBADF;
  return sockets::SetTypeOfService(conn->fd, conn->family, tos);
}

int EngineCore::GetTypeOfService(HandleId id, int* out) const {
  const Connection* conn = Find(id);
  if (conn == nullptr || conn->fd == kInvalidSocket) return UV_EBADF;
  return sockets::GetTypeOfService(conn->fd, conn->family, out);
}

int EngineCore::SetUserTimeout(HandleId id, unsigned int timeout_ms) {
  Connection* conn = Find(id);
  if (conn == nullptr || conn->fd == kInvalidSocket) return UV_EBADF;
  if (conn->family == AF_UNIX) return 0;
  return sockets::SetUserTimeout(conn->fd, timeout_ms);
}

int EngineCore::SetIdleTimeout(HandleId id, uint32_t timeout_ms) {
  Connection* conn = Find(id);
  if (conn == nullptr || conn->closing) return UV_EBADF;
  if (conn->listener) {
    conn->idle_timeout_ms = timeout_ms;
    return 0;
  }
  idle_.Set(conn, timeout_ms, NowMs());
  ArmTimerForNextDeadline();
  return 0;
}

int EngineCore::GetSockName(HandleId id, SocketAddress* out) const {
  const Connection* conn = Find(id);
  if (conn == nullptr || conn->fd == kInvalidSocket) return UV_EBADF;
  return sockets::GetSockName(conn->fd, out);
}

int EngineCore::GetPeerName(HandleId id, SocketAddress* out) const {
  const Connection* conn = Find(id);
  if (conn == nullptr || conn->fd == kInvalidSocket) return UV_EBADF;
  return sockets::GetPeerName(conn->fd, out);
}

int EngineCore::Ref(HandleId id, bool ref) {
  Connection* conn = Find(id);
  if (conn == nullptr) return UV_EBADF;
  conn->ref = ref;
  UpdateActive(conn);
  return 0;
}

size_t EngineCore::QueuedBytes(HandleId id) const {
  const Connection* conn = Find(id);
  return conn == nullptr ? 0 : static_cast<size_t>(conn->send.queued_bytes());
}

size_t EngineCore::CommittedBytes(HandleId id) const {
  const Connection* conn = Find(id);
  return conn == nullptr ? 0 : static_cast<size_t>(conn->send.committed_unsent());
}

int EngineCore::NotifyWhenCommittedSent(HandleId id) {
  Connection* conn = Find(id);
  if (conn == nullptr) return UV_EBADF;
  if (conn->send.committed_unsent() == 0) {
    QueueEvent(EventKind::kSent, conn->id, 0);
  } else {
    conn->sent_notice_wanted = true;
  }
  return 0;
}

// ------------------------------------------------------------------ events

void EngineCore::QueueEvent(EventKind kind, HandleId id, int status, uint64_t token) {
  events_.push_back(QueuedEvent{MakeEvent(kind, id, status, token), QueuedEvent::Action::kDeliver});
}

void EngineCore::Deliver(const Event& event) {
  ++delivered_;
  sink_->OnEvent(event);
}

void EngineCore::DeliverData(Connection* conn, const uint8_t* data, size_t size) {
  Event event = MakeEvent(EventKind::kData, conn->id, 0, 0);
  event.data = data;
  event.size = static_cast<uint32_t>(size);
  Deliver(event);
}

uint8_t* EngineCore::SinkReceiveMemory(const Connection* conn, size_t* capacity) {
  *capacity = 0;
  if (sink_ == nullptr || !conn->reading || conn->closing || conn->HasStash()) return nullptr;
  return sink_->LendReceiveMemory(capacity);
}

void EngineCore::DeliverQueued() {
  if (sink_ == nullptr) return;  // outside Drain: RequestDrain() brings us back
  while (!events_.empty()) {
    QueuedEvent queued = events_.front();
    events_.pop_front();
    switch (queued.action) {
      case QueuedEvent::Action::kDeliver:
        Deliver(queued.event);
        break;
      case QueuedEvent::Action::kDeliverClosed: {
        Connection* conn = Find(queued.event.handle);
        if (conn != nullptr) Release(conn);  // the id is dead from here on
        Deliver(queued.event);
        break;
      }
      case QueuedEvent::Action::kDeliverStash:
        DeliverStash(queued.event.handle);
        break;
    }
  }
}

void EngineCore::BeginDrain(EventSink& sink) {
  sink_ = &sink;
  delivered_ = 0;
  drain_received_ = 0;
  DeliverQueued();
}

size_t EngineCore::EndDrain() {
  DeliverQueued();
  sink_ = nullptr;
  return delivered_;
}

// ------------------------------------------------------------------ writing

void EngineCore::MarkDirty(Connection* conn) {
  if (!conn->send_dirty) {
    conn->send_dirty = true;
    dirty_.push_back(conn->id);
  }
}

void EngineCore::NoteWrite(Connection* conn) {
  if (conn->write_turn != send_turn_) {
    conn->write_turn = send_turn_;
    conn->writes_in_turn = 0;
  }
  if (conn->writes_in_turn < UINT32_MAX) ++conn->writes_in_turn;
}

void EngineCore::StartPendingSends() {
  uint32_t turn = send_turn_;
  if (++send_turn_ == 0) send_turn_ = 1;  // a new turn (never 0: a new handle's write_turn)
  flushing_.swap(dirty_);  // a send may list its connection again for the next turn
  for (HandleId id : flushing_) {
    Connection* conn = Find(id);
    if (conn == nullptr) continue;
    conn->send_dirty = false;
    if (conn->write_turn == turn) conn->gathers_writes = conn->writes_in_turn > 1;
    StartSendIfReady(conn);
    MaybeFinishClose(conn);
    UpdateActive(conn);
  }
  flushing_.clear();
  if (!events_.empty() && sink_ == nullptr) RequestDrain();
}

void EngineCore::StartSendIfReady(Connection* conn) {
  if (conn->send_inflight || conn->send_retry_pending || !conn->connected || conn->finalized) return;
  if (conn->closing && !conn->close_flushes) return;
  if (conn->write_error != 0) {
    if (!conn->writes_fail_after_read) FailWrites(conn, conn->write_error);
    return;
  }
  if (!conn->send.has_bytes()) {
    // Zero-byte writes: done once everything before them is.
    conn->send.CompleteSent([&](uint64_t token, bool committed) { WriteDone(conn, token, committed, 0); });
    MaybeShutdown(conn);
    return;
  }
  IoBuffer* buffers = nullptr;
  size_t count = conn->send.Gather(kMaxSendBuffers, UINT64_MAX, &buffers);
  conn->send_inflight = true;
  StartSend(conn, buffers, count);
}

// A write finished. A committed one (its caller reported it done already) is
// reported only if it failed, except for the cancel of a close the caller
// asked for; once no committed byte is left unsent, a kSent answers
// NotifyWhenCommittedSent.
void EngineCore::WriteDone(Connection* conn, uint64_t token, bool committed, int status) {
  if (!committed) {
    QueueEvent(EventKind::kWritten, conn->id, status, token);
    return;
  }
  if (status != 0 && status != UV_ECANCELED) QueueEvent(EventKind::kWritten, conn->id, status, token);
  if (conn->sent_notice_wanted && conn->send.committed_unsent() == 0) {
    conn->sent_notice_wanted = false;
    QueueEvent(EventKind::kSent, conn->id, 0);
  }
}

// Every write not yet finished fails with `status`, in order.
void EngineCore::FailWrites(Connection* conn, int status) {
  conn->send.FailAll(send_pool_, [&](uint64_t token, bool committed) { WriteDone(conn, token, committed, status); });
}

void EngineCore::HandleSent(Connection* conn, size_t bytes) {
  conn->send_inflight = false;
  if (bytes > 0 && conn->idle_timeout_ms != 0 && !conn->closing) TouchIdle(conn);
  conn->send.Acknowledge(send_pool_, bytes, [&](uint64_t token, bool committed) { WriteDone(conn, token, committed, 0); });
  conn->send.EndSend();
  // A partial send, or writes queued meanwhile: the next gathered send.
  if (conn->send.has_writes() && !(conn->closing && !conn->close_flushes)) MarkDirty(conn);
  MaybeShutdown(conn);
}

void EngineCore::HandleSendFailed(Connection* conn, int status) {
  conn->send_inflight = false;
  conn->send.EndSend();
  if (IsTransient(status)) {
    // Nothing was sent; the queue is intact (rule 16).
    if (!(conn->closing && !conn->close_flushes)) ScheduleRetry(conn, false);
    return;
  }
  conn->write_error = status;
  if (conn->receive_armed && !conn->closing && read_error_before_write_error_) {
    // A dead connection fails the send and the receive alike. libuv reads
    // before it writes, so node reports the peer's reset as a read error
    // ('read ECONNRESET', after any bytes still to read) and the failed
    // write's callback, on a destroyed socket, gets none: the writes fail
    // once the receive has ended (see ReceiveEnded).
    conn->writes_fail_after_read = true;
  } else {
    FailWrites(conn, status);
  }
}

void EngineCore::MaybeShutdown(Connection* conn) {
  if (!conn->shutdown_requested || conn->shutdown_done || !conn->connected || conn->closing) return;
  if (conn->WritesPending()) return;
  conn->shutdown_done = true;
  QueueEvent(EventKind::kShutdown, conn->id, ShutdownWrite(conn));
}

// kAbort: the committed writes (the user was told they are done, as node
// says once the kernel has them) go to the kernel now, as far as it takes
// them without waiting; everything else is cancelled (uv_close). With a send
// in flight the kernel is already reading the front of the queue, where the
// committed writes are: the cancel keeps what it took.
void EngineCore::SendCommittedNow(Connection* conn) {
  if (conn->send_inflight || conn->send.committed_end() <= conn->send.acked() || !conn->connected ||
      conn->write_error != 0) {
    return;
  }
  IoBuffer* buffers = nullptr;
  size_t count = conn->send.Gather(kMaxSendBuffers, conn->send.committed_end(), &buffers);
  int64_t sent = sockets::SendNow(conn->fd, buffers, count);
  if (sent > 0) conn->send.Acknowledge(send_pool_, static_cast<size_t>(sent), [&](uint64_t token, bool committed) { WriteDone(conn, token, committed, 0); });
  conn->send.EndSend();
}

// ------------------------------------------------------------------ reading

bool EngineCore::NeedsReceive(const Connection* conn) const {
  return conn->reading && conn->connected && !conn->closing && !conn->eof && !conn->read_failed &&
         !conn->receive_armed && !conn->stash_scheduled && !conn->receive_retry_pending;
}

void EngineCore::RearmReceive(Connection* conn) {
  if (!NeedsReceive(conn)) return;
  conn->receive_armed = true;
  ArmReceive(conn);
}

void EngineCore::HandleReceived(Connection* conn, const uint8_t* data, size_t size) {
  conn->receive_armed = false;
  drain_received_ += size;
  if (conn->idle_timeout_ms != 0 && !conn->closing) TouchIdle(conn);
  if (!conn->closing) {
    if (conn->reading && !conn->HasStash()) {
      DeliverData(conn, data, size);
    } else {
      // Arrived while not reading (at most one receive's worth: none follows
      // until ReadStart): copy, so the backend's buffer goes back at once.
      conn->stash.insert(conn->stash.end(), data, data + size);
    }
  }
  AfterReceive(conn);
}

void EngineCore::HandleEof(Connection* conn) {
  conn->receive_armed = false;
  if (conn->writes_fail_after_read && conn->write_error != UV_EPIPE) {
    // The failed send took the socket's error (a reset), so this receive
    // only saw the closed socket. node's read would have got the error.
    ReadFailed(conn, conn->write_error);
  } else if (!conn->closing) {
    conn->eof = true;
    if (conn->reading && !conn->HasStash()) {
      QueueEvent(EventKind::kEnd, conn->id, 0);
    } else {
      conn->stash_eof = true;
    }
  }
  AfterReceive(conn);
}

void EngineCore::HandleReceiveError(Connection* conn, int status) {
  conn->receive_armed = false;
  if (IsTransient(status)) {
    // Not now (rule 16): the bytes stay in the kernel; try again shortly.
    if (!conn->closing && conn->reading) ScheduleRetry(conn, true);
  } else if (status != UV_ECANCELED) {
    ReadFailed(conn, status);
  }
  AfterReceive(conn);
}

bool EngineCore::HandleReceiveResult(Connection* conn, const uint8_t* data, int64_t result) {
  if (result > 0) {
    HandleReceived(conn, data, static_cast<size_t>(result));
  } else if (result == 0) {
    HandleEof(conn);
  } else if (result == UV_EAGAIN) {
    return false;
  } else {
    HandleReceiveError(conn, static_cast<int>(result));
  }
  return true;
}

void EngineCore::ReceiveEnded(Connection* conn) {
  conn->receive_armed = false;
  AfterReceive(conn);
}

// The receive has ended (receive_armed was cleared when it did, before its
// event went out): re-arm if still wanted. Not clearing receive_armed here
// matters: a listener that paused and resumed the stream in its 'data'
// callback already armed the next receive, and a second one would run
// beside it (two receives in flight can hand over their bytes out of order).
void EngineCore::AfterReceive(Connection* conn) {
  HandleId id = conn->id;
  DeliverQueued();
  conn = Find(id);  // the sink may have closed it (still valid until kClosed)
  if (conn == nullptr) return;
  if (conn->reading && conn->HasStash()) {
    ScheduleStash(conn);
  } else {
    RearmReceive(conn);
  }
  if (conn->writes_fail_after_read && !conn->receive_armed) {
    conn->writes_fail_after_read = false;
    FailWrites(conn, conn->write_error);
  }
}

void EngineCore::ReadFailed(Connection* conn, int status) {
  if (conn->closing) return;
  conn->read_failed = true;
  if (conn->reading && !conn->HasStash()) {
    QueueEvent(EventKind::kReadError, conn->id, status);
  } else {
    conn->stash_error = status;
  }
}

void EngineCore::DropStash(Connection* conn) {
  std::vector<uint8_t>().swap(conn->stash);
  conn->stash_eof = false;
  conn->stash_error = 0;
}

void EngineCore::ScheduleStash(Connection* conn) {
  if (conn->stash_scheduled) return;
  conn->stash_scheduled = true;
  Event event{};
  event.handle = conn->id;
  events_.push_back(QueuedEvent{event, QueuedEvent::Action::kDeliverStash});
}

void EngineCore::DeliverStash(HandleId id) {
  Connection* conn = Find(id);
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
    RearmReceive(conn);
    UpdateActive(conn);
  }
}

// ------------------------------------------------------------------ accept, connect

void EngineCore::HandleAccepted(Connection* listener, SocketHandle fd) {
  if (listener->closing) {
    sockets::Close(fd);
    return;
  }
  Connection* conn = Adopt(fd, listener->family);
  if (Register(conn) != 0) {
    sockets::Close(fd);
    conn->fd = kInvalidSocket;
    Release(conn);
    return;
  }
  conn->connected = true;
  if (listener->idle_timeout_ms != 0) {
    idle_.Set(conn, listener->idle_timeout_ms, NowMs());
    ArmTimerForNextDeadline();
  }
  Event event = MakeEvent(EventKind::kConnection, listener->id, 0, 0);
  event.peer = conn->id;
  events_.push_back(QueuedEvent{event, QueuedEvent::Action::kDeliver});
}

void EngineCore::HandleAcceptError(Connection* listener, int status) {
  // Nothing to accept after all, or the peer gave up first: not an error
  // (libuv ignores these too).
  if (status == UV_EAGAIN || status == UV_EINTR || status == UV_ECONNABORTED || status == UV_ECANCELED) return;
  if (listener->closing) return;
  if (status == UV_EMFILE || status == UV_ENFILE) status = reserve_.ShedPendingConnections(listener->fd, status);
  if (status != 0) QueueEvent(EventKind::kConnection, listener->id, status);
}

// Every connect(2) result reaches JS as a connect event, even the errors
// libuv returns at once (ENETUNREACH, EADDRNOTAVAIL, ...): the handle must
// still exist then, because node's message for those names the local address
// getsockname gives for it ("- Local (0.0.0.0:0)"). The JS layer tells the
// two kinds apart by the error. Socket and bind errors still return here.
int EngineCore::StartConnect(Connection* conn, const SocketAddress& remote) {
  int rc = sockets::ConnectNow(conn->fd, remote);
  if (rc == UV_EINPROGRESS) {
    WaitConnected(conn);
    return 0;
  }
  HandleConnected(conn, rc);  // reported by the next Drain
  return 0;
}

void EngineCore::HandleConnected(Connection* conn, int status) {
  conn->connecting = false;
  if (conn->closing) status = UV_ECANCELED;
  QueueEvent(EventKind::kConnect, conn->id, status);
  if (status == 0) {
    conn->connected = true;
    if (conn->send.has_writes()) MarkDirty(conn);
    RearmReceive(conn);
    MaybeShutdown(conn);
  } else {
    // Like libuv: writes queued on a failed connect are cancelled.
    FailWrites(conn, UV_ECANCELED);
  }
}

// ------------------------------------------------------------------ deadlines

void EngineCore::ScheduleRetry(Connection* conn, bool receive) {
  bool& pending = receive ? conn->receive_retry_pending : conn->send_retry_pending;
  if (pending) return;
  pending = true;
  deadlines_.AddRetry(conn->id, NowMs() + kRetryDelayMs, receive);
  ArmTimerForNextDeadline();
}

// The backend's timer is moved earlier whenever an earlier deadline comes;
// after it fires, it is set for the next one.
void EngineCore::ArmTimerForNextDeadline() {
  uint64_t next = deadlines_.Next();
  uint64_t idle = idle_.NextDeadline();
  if (idle < next) next = idle;
  if (next == DeadlineQueue::kNone || next >= timer_deadline_) return;
  timer_deadline_ = next;
  ArmTimer(next);
}

void EngineCore::HandleTimer() {
  timer_deadline_ = DeadlineQueue::kNone;
  deadlines_.PopDue(NowMs(), [&](HandleId id, DeadlineQueue::Kind kind) {
    Connection* conn = Find(id);
    if (conn == nullptr) return;
    switch (kind) {
      case DeadlineQueue::Kind::kCloseTimeout:
        // Rule 6: a graceful close that cannot finish in time is aborted.
        if (!conn->finalized && conn->closing && conn->close_flushes) Escalate(conn, CloseMode::kAbort);
        break;
      case DeadlineQueue::Kind::kRetrySend:
        conn->send_retry_pending = false;
        MarkDirty(conn);  // the send starts at the next Flush
        break;
      case DeadlineQueue::Kind::kRetryReceive:
        conn->receive_retry_pending = false;
        RearmReceive(conn);
        break;
    }
    UpdateActive(conn);
  });
  // Rule 13: one event per connection idle for its whole timeout; the owner
  // decides (a server's reaper closes it). It is out of its list until its
  // next byte.
  idle_.PopExpired(NowMs(), [&](Connection* conn) { QueueEvent(EventKind::kIdle, conn->id, 0); });
  ArmTimerForNextDeadline();
}

// A byte in or out: a new idle period (after a kIdle, the list may have
// been empty, so the timer may need arming).
void EngineCore::TouchIdle(Connection* conn) {
  idle_.Touch(conn, NowMs());
  ArmTimerForNextDeadline();
}

// ------------------------------------------------------------------ closing

void EngineCore::Escalate(Connection* conn, CloseMode mode) {
  conn->close_mode = mode;
  conn->close_flushes = false;
  if (mode == CloseMode::kReset) sockets::SetLingerZero(conn->fd);
  CancelAll(conn);
  MaybeFinishClose(conn);
  UpdateActive(conn);
}

void EngineCore::AfterCompletion(HandleId id) {
  Connection* conn = Find(id);
  if (conn == nullptr) return;
  MaybeFinishClose(conn);
  UpdateActive(conn);
  DeliverQueued();
}

// Closes the socket once nothing of the handle is left in the kernel (rule 9).
void EngineCore::MaybeFinishClose(Connection* conn) {
  if (!conn->closing || conn->finalized) return;
  bool graceful = conn->close_mode == CloseMode::kGraceful;
  if (conn->close_flushes && conn->connected && conn->write_error == 0 && conn->WritesPending()) return;
  if (graceful && conn->connected && !conn->shutdown_done && conn->write_error == 0) {
    // Every byte is in the kernel: send FIN before the close (rule 6).
    conn->shutdown_done = true;
    ShutdownWrite(conn);
    if (conn->shutdown_requested) QueueEvent(EventKind::kShutdown, conn->id, 0);
  }
  if (conn->inflight > 0) {
    // Whatever is left (receive, accept, connect, a send cut short) goes.
    CancelAll(conn);
    return;
  }
  conn->finalized = true;
  Unregister(conn);
  if (graceful && conn->connected) sockets::DiscardUnread(conn->fd);
  sockets::Close(conn->fd);
  conn->fd = kInvalidSocket;
  if (!conn->unlink_path.empty()) sockets::RemovePath(conn->unlink_path);
  DropStash(conn);
  FailWrites(conn, UV_ECANCELED);
  if (conn->shutdown_requested && !conn->shutdown_done) {
    conn->shutdown_done = true;
    QueueEvent(EventKind::kShutdown, conn->id, UV_ECANCELED);
  }
  Event event = MakeEvent(EventKind::kClosed, conn->id, 0, 0);
  events_.push_back(QueuedEvent{event, QueuedEvent::Action::kDeliverClosed});
}

}  // namespace iocpnet

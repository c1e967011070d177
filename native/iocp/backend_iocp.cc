// IOCP backend (Windows): I/O completion ports under EngineCore, which holds
// every rule that is not about completion ports.
//
// Threads. One completion port per engine; I/O threads wait on it in
// GetQueuedCompletionStatusEx and hand each batch to the owner (JS) thread
// (completion_port.h), which handles it in Drain() through the core's
// Handle*() functions. The core and every Connection live on the owner
// thread only; the I/O threads touch nothing but the port and the list.
//
// Operations, each an IoOp (an OVERLAPPED with its kind and owner) counted in
// Connection::inflight from its post until its completion is handled, so a
// Connection is never recycled while the kernel may still write into it
// (rules 2, 9; seed 004):
// - receive: a zero-byte WSARecv (rule 10: an idle connection holds no
//   buffer) whose completion says "readable"; then one non-blocking recv into
//   the backend's one shared buffer, at most one per connection per Drain
//   (the read budget); a read that filled the buffer reads again next Drain
//   without another zero-byte receive;
// - send: one gathered WSASend in flight per socket (rules 1, 3: the core's
//   send queue fills the WSABUF array and coalesces later writes);
// - connect: ConnectEx on the socket the core bound, then
//   SO_UPDATE_CONNECT_CONTEXT;
// - accept: kAcceptsPerListener AcceptEx calls posted per listener and each
//   posted again as it completes (rule 11), SO_UPDATE_ACCEPT_CONTEXT on every
//   accepted socket.
//
// Named pipes (node's `path` on Windows, platform/pipe_win.h) go through the
// same operations: a zero-byte ReadFile for readiness then a read that does
// not wait, WriteFile of the send's first buffer, ConnectNamedPipe on
// kPipeAcceptsPerListener instances per listener; a client opens the name at
// connect. A pipe has no half-close: after Shutdown, as libuv does, a read
// that stays empty for kPipeEofMs ends the stream (kEnd); the peer sees the
// end when the handle is closed.
//
// Skipping the port. Where the TCP provider is IFS (winsock_ext.h), stream
// and listening sockets are in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode: an
// operation that succeeds at once queues no packet. A send or connect that
// does is handled inline; a zero-byte receive or an accept that does is put
// on this backend's own list of finished operations (`immediate_`), handled
// at the start of the next Drain like a packet (no recursion into the core,
// and the per-Drain read budget holds). A post that fails at once queues no
// packet either (rule 4): its error goes the same way.
//
// Cancelling (CancelReceive, CancelAll) is CancelIoEx; the cancelled
// operation still completes (ERROR_OPERATION_ABORTED) and only then is it
// off the count. An operation still on the immediate list is marked and
// completes as cancelled. shutdown(SD_SEND) comes only after every send
// completed, and a reset is linger {1, 0}: both the core's (rules 6, 7).
#include "iocp/backend_iocp.h"

#include <winsock2.h>
#include <mswsock.h>
#include <windows.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/engine_core.h"
#include "errors.h"
#include "iocp/completion_port.h"
#include "iocp/io_ops.h"
#include "iocp/winsock_ext.h"
#include "platform/pipe_win.h"

namespace iocpnet {
namespace iocp {

namespace {

// AcceptEx calls kept posted per TCP listener (libuv posts 32 as well), and
// pipe instances waiting per pipe listener (libuv's default is 4).
constexpr size_t kAcceptsPerListener = 32;
constexpr size_t kPipeAcceptsPerListener = 4;
// After Shutdown of a pipe, a read empty for this long is the end (libuv's
// eof_timeout).
constexpr DWORD kPipeEofMs = 50;
// A pipe connect that found every instance busy tries again this often, for
// up to kPipeBusyMs (libuv waits for an instance up to 30 s too).
constexpr DWORD kPipeBusyRetryMs = 10;
constexpr uint64_t kPipeBusyMs = 30000;
// What a timer of the backend is for.
enum class TimerKind : uint8_t {
  kCore,         // the core's deadlines (HandleTimer)
  kPipeEof,      // the end of a pipe's grace after Shutdown
  kPipeConnect,  // a pipe connect's next try
};

enum class OpKind : uint8_t { kReceive, kSend, kConnect, kAccept };

struct IocpConnection;

// One overlapped operation. `posted` from its post until its completion is
// handled; `immediate` while it waits on the backend's own list; `handle` is
// the kernel handle it went to (cancel and result ask that one).
struct IoOp {
  OVERLAPPED overlapped;
  OpKind kind;
  IocpConnection* owner;
  HANDLE handle = INVALID_HANDLE_VALUE;
  bool on_socket = true;
  bool posted = false;
  bool immediate = false;
  bool cancelled = false;  // cancelled while on the immediate list

  IoOp(OpKind op_kind, IocpConnection* op_owner) : overlapped(), kind(op_kind), owner(op_owner) {}
  IoOp(const IoOp&) = delete;
  IoOp& operator=(const IoOp&) = delete;
};

// One waiting accept: AcceptEx into `socket`, or a pipe `instance` waiting
// in ConnectNamedPipe.
struct AcceptSlot : IoOp {
  SOCKET socket = INVALID_SOCKET;
  HANDLE instance = INVALID_HANDLE_VALUE;
  bool post_failed = false;  // could not be posted: reported, not posted again
  char addresses[2 * kAcceptAddressBytes];

  explicit AcceptSlot(IocpConnection* listener) : IoOp(OpKind::kAccept, listener), addresses() {}
};

struct IocpConnection : Connection {
  IoOp receive{OpKind::kReceive, this};
  IoOp send{OpKind::kSend, this};
  IoOp connect{OpKind::kConnect, this};
  std::vector<std::unique_ptr<AcceptSlot>> accepts;  // listeners only; kept when recycled
  bool skip_port = false;     // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set on fd
  bool more_to_read = false;  // the last read filled the buffer: read again, no wait
  // Pipes after Shutdown: each readiness wait gets a number; the grace timer
  // of that number ends the stream if the wait is still going.
  bool pipe_eof_watch = false;
  uint32_t pipe_read_number = 0;
  bool pipe_eof_forced = false;
  // A pipe connect waiting for a free instance, until this time.
  bool pipe_connect_waiting = false;
  uint64_t pipe_connect_deadline = 0;
  SocketAddress pipe_name;  // what a pipe connect opens, again at each retry

  void ResetBackendState() override {
    skip_port = more_to_read = pipe_eof_watch = pipe_eof_forced = pipe_connect_waiting = false;
    pipe_read_number = 0;
    pipe_connect_deadline = 0;
    for (IoOp* op : {&receive, &send, &connect}) op->posted = op->immediate = op->cancelled = false;
  }
  bool pipe() const { return fd.pipe != nullptr; }
};

IocpConnection* AsIocp(Connection* conn) { return static_cast<IocpConnection*>(conn); }

IoOp* OpOf(OVERLAPPED* overlapped) { return CONTAINING_RECORD(overlapped, IoOp, overlapped); }

class IocpBackend final : public EngineCore {
 public:
  explicit IocpBackend(const BackendOptions& options) : EngineCore(options) {
    read_error_before_write_error_ = false;  // node.exe: 'write ECONNRESET'
  }

  ~IocpBackend() override { CancelEverything(); }

  // 0 or a negated Win32 error (MakeBackend's convention).
  int Init(std::string* why) {
    DWORD error = ext_.Load(why);
    if (error != 0) return -static_cast<int>(error);
    timer_queue_ = CreateTimerQueue();
    if (timer_queue_ == nullptr) return Failed("CreateTimerQueue", why);
    unsigned int threads = options().iocp.io_threads == 0 ? DefaultIoThreads() : options().iocp.io_threads;
    error = port_.Start(threads);
    if (error != 0) {
      SetLastError(error);
      return Failed("CreateIoCompletionPort", why);
    }
    read_buffer_.resize(ReadBufferSize());
    return 0;
  }

  const char* Name() const override { return "iocp"; }
  int PollFd() const override { return -1; }  // woken by the I/O threads instead
  void SetWakeCallback(void (*wake)(void*), void* arg) override { port_.SetWake(wake, arg); }

  void Flush() override { StartPendingSends(); }

  size_t Drain(EventSink& sink) override {
    BeginDrain(sink);
    // Operations that finished at once, in an earlier turn, first.
    immediate_now_.swap(immediate_);
    for (const Finished& done : immediate_now_) {
      done.op->immediate = false;
      Complete(done.op, done.op->cancelled ? UV_ECANCELED : done.status, done.bytes);
    }
    immediate_now_.clear();
    port_.Take(&taken_);
    for (const Completion& packet : taken_) {
      if (packet.key == CompletionPort::kTimerKey) {
        TimerFired(reinterpret_cast<ArmedTimer*>(packet.overlapped));
      } else if (packet.overlapped != nullptr) {
        IoOp* op = OpOf(packet.overlapped);
        Complete(op, ResultOf(op), packet.bytes);
      }
    }
    taken_.clear();
    return EndDrain();
  }

 protected:
  // ---------------------------------------------------------------- hooks

  Connection* NewConnection() override { return new IocpConnection(); }

  int Register(Connection* base) override {
    IocpConnection* conn = AsIocp(base);
    if (conn->pipe()) {
      // A client is bound when it connects; an accepted instance was bound
      // before it waited for its client.
      PipeEndpoint* endpoint = conn->fd.pipe;
      if (endpoint->handle == INVALID_HANDLE_VALUE || endpoint->associated) return 0;
      if (!port_.Associate(endpoint->handle)) return UvLastError();
      endpoint->associated = true;
      return 0;
    }
    HANDLE handle = NativeHandle(conn->fd);
    if (!port_.Associate(handle)) return UvLastError();
    if (ext_.SkipPortOnSuccess(conn->family)) {
      if (!SetFileCompletionNotificationModes(handle, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)) {
        return UvLastError();
      }
      conn->skip_port = true;
    }
    return 0;
  }

  int StartListening(Connection* base) override {
    IocpConnection* listener = AsIocp(base);
    size_t want = listener->pipe() ? kPipeAcceptsPerListener : kAcceptsPerListener;
    while (listener->accepts.size() < want) {
      listener->accepts.push_back(std::unique_ptr<AcceptSlot>(new AcceptSlot(listener)));
    }
    // The first pipe instance (bound by Register) waits like the others.
    if (listener->pipe()) listener->accepts[0]->instance = pipes::TakeInstance(listener->fd);
    for (size_t i = 0; i < want; ++i) PostAcceptSlot(listener, listener->accepts[i].get());
    return 0;
  }

  int StartConnect(Connection* base, const SocketAddress& remote) override {
    IocpConnection* conn = AsIocp(base);
    if (conn->pipe()) {
      conn->pipe_connect_deadline = NowMs() + kPipeBusyMs;
      conn->pipe_name = remote;
      TryPipeConnect(conn);
      return 0;
    }
    SocketAddress target = ConnectTarget(remote);
    FailFastOnLoopback(conn->fd.socket, target);
    IoOp& op = conn->connect;
    Begin(&op, conn->fd);
    Posted posted = PostConnect(ext_, conn->fd.socket, target, conn->skip_port, &op.overlapped);
    if (posted.kind == Posted::kDone) {
      // Done at once, or (rule 4) refused at the post, which queues no
      // packet: either way the result is the handle's connect event, as on
      // every backend (EngineCore::StartConnect), so node's message can
      // still name the socket's local address.
      End(&op);
      FinishConnect(conn, posted.status);
    }
    return 0;
  }

  void ArmReceive(Connection* base) override {
    IocpConnection* conn = AsIocp(base);
    IoOp& op = conn->receive;
    Begin(&op, conn->fd);
    if (conn->more_to_read) {
      // Bytes are waiting already: the next Drain reads (the read budget).
      FinishLater(&op, 0, 0);
      return;
    }
    if (conn->pipe_eof_watch) StartPipeEofTimer(conn);
    Posted posted = PostReadiness(conn->fd, conn->skip_port, &op.overlapped);
    if (posted.kind == Posted::kDone) FinishLater(&op, posted.status, 0);  // read by the next Drain
  }

  void StartSend(Connection* base, const IoBuffer* buffers, size_t count) override {
    IocpConnection* conn = AsIocp(base);
    IoOp& op = conn->send;
    Begin(&op, conn->fd);
    Posted posted = PostSend(conn->fd, buffers, count, conn->skip_port, &op.overlapped);
    if (posted.kind == Posted::kPending) return;
    End(&op);  // done at once (or rule 4: failed to start)
    if (posted.status == 0) {
      HandleSent(conn, posted.bytes);
    } else {
      HandleSendFailed(conn, posted.status);
    }
  }

  void CancelReceive(Connection* base) override { Cancel(&AsIocp(base)->receive); }

  void CancelAll(Connection* base) override {
    IocpConnection* conn = AsIocp(base);
    if (conn->listener && !conn->listening) {
      StopAccepting(conn);
      return;
    }
    for (IoOp* op : {&conn->receive, &conn->send, &conn->connect}) Cancel(op);
    if (conn->pipe_connect_waiting) {
      conn->pipe_connect_waiting = false;
      HandleConnected(conn, UV_ECANCELED);
    }
  }

  // A one-shot timer-queue timer posts a packet to the port at the deadline;
  // an earlier deadline adds another (HandleTimer takes only what is due).
  void ArmTimer(uint64_t deadline_ms) override {
    uint64_t now = NowMs();
    DWORD due = deadline_ms > now ? static_cast<DWORD>(deadline_ms - now) : 0;
    AddTimer(due, TimerKind::kCore, 0, 0);
  }

  void RequestDrain() override { port_.RequestWake(); }

  int ShutdownWrite(Connection* base) override {
    int rc = EngineCore::ShutdownWrite(base);
    IocpConnection* conn = AsIocp(base);
    if (conn->pipe() && !conn->closing) {
      // A pipe cannot say "no more from me"; libuv ends the stream when a
      // read stays empty for a moment after the shutdown.
      conn->pipe_eof_watch = true;
      if (conn->receive.posted && !conn->receive.immediate) StartPipeEofTimer(conn);
    }
    return rc;
  }

 private:
  struct Finished {
    IoOp* op;
    int status;
    DWORD bytes;
  };
  // A timer-queue timer; its callback posts a packet carrying this record,
  // and only that packet ends it (so none is deleted before it fired).
  struct ArmedTimer {
    HANDLE timer = nullptr;
    IocpBackend* backend = nullptr;
    TimerKind kind = TimerKind::kCore;
    HandleId id = 0;
    uint32_t number = 0;
  };

  static int Failed(const char* call, std::string* why) {
    DWORD error = GetLastError();
    *why = std::string(call) + " failed (Windows error " + std::to_string(error) + ")";
    return -static_cast<int>(error == 0 ? ERROR_GEN_FAILURE : error);
  }

  static void Begin(IoOp* op, HANDLE handle, bool on_socket) {
    std::memset(&op->overlapped, 0, sizeof(op->overlapped));
    op->handle = handle;
    op->on_socket = on_socket;
    op->posted = true;
    op->immediate = false;
    op->cancelled = false;
    ++op->owner->inflight;
  }
  static void Begin(IoOp* op, SocketHandle fd) { Begin(op, NativeHandle(fd), fd.pipe == nullptr); }

  static void End(IoOp* op) {
    op->posted = false;
    --op->owner->inflight;
  }

  // The operation finished without a packet: handled by the next Drain.
  void FinishLater(IoOp* op, int status, DWORD bytes) {
    op->immediate = true;
    immediate_.push_back(Finished{op, status, bytes});
    if (immediate_.size() == 1) port_.RequestWake();
  }

  // The libuv errno of a completed operation. An accept of a listener that
  // stopped went to a handle closed since (StopAccepting): cancelled.
  static int ResultOf(IoOp* op) {
    if (op->kind == OpKind::kAccept && !op->owner->listening) return UV_ECANCELED;
    return OverlappedResult(op->handle, op->on_socket, &op->overlapped);
  }

  static void Cancel(IoOp* op) {
    if (!op->posted) return;
    if (op->immediate) {
      op->cancelled = true;
    } else {
      CancelIoEx(op->handle, &op->overlapped);
    }
  }

  // ---------------------------------------------------------------- completions

  void Complete(IoOp* op, int status, DWORD bytes) {
    IocpConnection* conn = op->owner;
    HandleId id = conn->id;
    End(op);
    switch (op->kind) {
      case OpKind::kReceive: OnReadable(conn, status); break;
      case OpKind::kSend:
        if (status == 0) {
          HandleSent(conn, bytes);
        } else {
          HandleSendFailed(conn, status);
        }
        break;
      case OpKind::kConnect: FinishConnect(conn, status); break;
      case OpKind::kAccept: OnAccepted(conn, static_cast<AcceptSlot*>(op), status); break;
    }
    AfterCompletion(id);
  }

  void OnReadable(IocpConnection* conn, int status) {
    if (conn->pipe_eof_forced) {
      // The pipe's grace after Shutdown ran out with the read still empty.
      conn->pipe_eof_forced = false;
      if (!conn->closing) {
        HandleEof(conn);
        return;
      }
    }
    // Wine difference 3: closing a socket with a read pending completes it
    // with 0x8000000A rather than an abort; a receive of a closing handle
    // that did not succeed is a cancelled one, whatever its status.
    if (status != 0 && conn->closing) status = UV_ECANCELED;
    if (status == UV_EOF) {  // a pipe whose other end closed (ERROR_BROKEN_PIPE)
      conn->more_to_read = false;
      HandleEof(conn);
      return;
    }
    if (status != 0) {
      conn->more_to_read = false;
      HandleReceiveError(conn, status);  // UV_ECANCELED: the core only re-arms if still wanted
      return;
    }
    if (!conn->reading || conn->closing) {
      // Paused since the receive was armed: the bytes stay in the kernel
      // (backpressure, as node's readStop); ReadStart arms a new one.
      ReceiveEnded(conn);
      return;
    }
    int64_t n = sockets::ReceiveNow(conn->fd, read_buffer_.data(), read_buffer_.size());
    conn->more_to_read = n > 0 && static_cast<size_t>(n) == read_buffer_.size();
    if (!HandleReceiveResult(conn, read_buffer_.data(), n)) {
      ReceiveEnded(conn);  // nothing after all: a new zero-byte receive waits
    }
  }

  void FinishConnect(IocpConnection* conn, int status) {
    if (status == 0) status = UpdateConnectContext(conn->fd.socket);
    HandleConnected(conn, status);
  }

  // Opening the name is a pipe's connect: reported like a later result (as
  // the core does for Unix sockets); every instance busy waits a little.
  void TryPipeConnect(IocpConnection* conn) {
    int rc = sockets::ConnectNow(conn->fd, conn->pipe_name);
    if (rc == UV_EBUSY && NowMs() < conn->pipe_connect_deadline) {
      conn->pipe_connect_waiting = true;
      AddTimer(kPipeBusyRetryMs, TimerKind::kPipeConnect, conn->id, 0);
      return;
    }
    if (rc == 0) rc = Register(conn);
    HandleConnected(conn, rc);
  }

  void OnPipeConnectRetry(HandleId id) {
    IocpConnection* conn = AsIocp(Find(id));
    if (conn == nullptr || !conn->pipe_connect_waiting) return;  // cancelled meanwhile
    conn->pipe_connect_waiting = false;
    TryPipeConnect(conn);
    AfterCompletion(id);
  }

  // server.close(): as libuv, the listening socket (or every waiting pipe
  // instance) is closed at once, so connects are refused from now on. That
  // aborts the pending AcceptEx / ConnectNamedPipe calls, whose completions
  // still come (and release their slot's socket). Idempotent: the core asks
  // again while completions are outstanding.
  void StopAccepting(IocpConnection* listener) {
    if (listener->pipe()) {
      for (auto& slot : listener->accepts) {
        if (slot->instance == INVALID_HANDLE_VALUE) continue;
        if (slot->immediate) slot->cancelled = true;
        CloseHandle(slot->instance);
        slot->instance = INVALID_HANDLE_VALUE;
      }
      return;
    }
    if (listener->fd.socket == INVALID_SOCKET) return;
    for (auto& slot : listener->accepts) {
      if (slot->immediate) slot->cancelled = true;
    }
    sockets::Close(listener->fd);
    listener->fd = kInvalidSocket;
  }

  void PostAcceptSlot(IocpConnection* listener, AcceptSlot* slot) {
    Posted posted;
    if (listener->pipe()) {
      if (slot->instance == INVALID_HANDLE_VALUE) {
        int rc = pipes::NewInstance(listener->fd, &slot->instance);
        if (rc == 0 && !port_.Associate(slot->instance)) {
          rc = UvLastError();
          CloseHandle(slot->instance);
          slot->instance = INVALID_HANDLE_VALUE;
        }
        if (rc != 0) {
          Begin(slot, INVALID_HANDLE_VALUE, false);
          PostFailed(slot, rc);
          return;
        }
      }
      Begin(slot, slot->instance, false);
      posted = PostPipeAccept(slot->instance, &slot->overlapped);
    } else {
      Begin(slot, listener->fd);
      SocketHandle accept_into;
      int rc = sockets::Open(listener->family, &accept_into);
      if (rc != 0) {
        PostFailed(slot, rc);
        return;
      }
      slot->socket = accept_into.socket;
      posted = PostAccept(ext_, listener->fd.socket, slot->socket, slot->addresses, listener->skip_port,
                          &slot->overlapped);
    }
    if (posted.kind == Posted::kPending) return;
    if (posted.status == 0) {
      FinishLater(slot, 0, 0);  // a client is there already: accepted by the next Drain
    } else {
      PostFailed(slot, posted.status);
    }
  }

  void PostFailed(AcceptSlot* slot, int status) {
    slot->post_failed = true;
    FinishLater(slot, status, 0);  // rule 4: reported by the next Drain
  }

  void OnAccepted(IocpConnection* listener, AcceptSlot* slot, int status) {
    bool post_failed = slot->post_failed;
    slot->post_failed = false;
    bool wanted = listener->listening && !listener->closing;
    SocketHandle accepted;
    if (listener->pipe()) {
      if (slot->instance != INVALID_HANDLE_VALUE) accepted = pipes::Accepted(listener->fd, slot->instance, true);
      slot->instance = INVALID_HANDLE_VALUE;
    } else {
      accepted = SocketHandle(slot->socket);
      slot->socket = INVALID_SOCKET;
      if (status == 0 && wanted) status = UpdateAcceptContext(accepted.socket, listener->fd.socket);
    }
    if (status == 0 && wanted) {
      HandleAccepted(listener, accepted);  // the core registers it, or closes it
    } else {
      sockets::Close(accepted);
      // As libuv: a failed post is reported (the listener is broken); an
      // accept that failed (the peer gave up, or a cancel) is not.
      if (post_failed && wanted) HandleAcceptError(listener, status);
    }
    if (wanted && !post_failed) PostAcceptSlot(listener, slot);  // rule 11: replenished
  }

  // ---------------------------------------------------------------- timers

  void AddTimer(DWORD due_ms, TimerKind kind, HandleId id, uint32_t number) {
    std::unique_ptr<ArmedTimer> armed(new ArmedTimer());
    armed->backend = this;
    armed->kind = kind;
    armed->id = id;
    armed->number = number;
    if (CreateTimerQueueTimer(&armed->timer, timer_queue_, &IocpBackend::OnTimer, armed.get(), due_ms, 0,
                              WT_EXECUTEONLYONCE)) {
      timers_.push_back(std::move(armed));
    }
  }

  // On a pool thread: only posts (the owner thread does the rest).
  static void CALLBACK OnTimer(void* context, BOOLEAN) {
    ArmedTimer* armed = static_cast<ArmedTimer*>(context);
    PostQueuedCompletionStatus(armed->backend->port_.handle(), 0, CompletionPort::kTimerKey,
                               reinterpret_cast<OVERLAPPED*>(armed));
  }

  // A timer's packet: the timer is deleted (waiting for its callback to
  // return, which only posted) and freed, then does its work.
  void TimerFired(ArmedTimer* fired) {
    TimerKind kind = fired->kind;
    HandleId id = fired->id;
    uint32_t number = fired->number;
    DeleteTimerQueueTimer(timer_queue_, fired->timer, INVALID_HANDLE_VALUE);
    for (size_t i = 0; i < timers_.size(); ++i) {
      if (timers_[i].get() != fired) continue;
      timers_[i] = std::move(timers_.back());
      timers_.pop_back();
      break;
    }
    switch (kind) {
      case TimerKind::kCore: HandleTimer(); break;
      case TimerKind::kPipeEof: OnPipeEofTimer(id, number); break;
      case TimerKind::kPipeConnect: OnPipeConnectRetry(id); break;
    }
  }

  void StartPipeEofTimer(IocpConnection* conn) {
    ++conn->pipe_read_number;
    AddTimer(kPipeEofMs, TimerKind::kPipeEof, conn->id, conn->pipe_read_number);
  }

  void OnPipeEofTimer(HandleId id, uint32_t number) {
    IocpConnection* conn = AsIocp(Find(id));
    if (conn == nullptr || conn->closing || number != conn->pipe_read_number) return;
    if (!conn->receive.posted || conn->receive.immediate) return;  // something came: not the end
    conn->pipe_eof_forced = true;
    CancelIoEx(conn->receive.handle, &conn->receive.overlapped);
  }

  // ---------------------------------------------------------------- teardown

  // Rule 9 even at exit: no timer posts any more, every operation still in
  // the kernel is cancelled and reaped (bounded), so no receive or send
  // touches memory about to be freed; what slots accepted into is closed.
  void CancelEverything() {
    if (timer_queue_ != nullptr) DeleteTimerQueueEx(timer_queue_, INVALID_HANDLE_VALUE);  // waits for callbacks
    timer_queue_ = nullptr;
    timers_.clear();
    port_.SetWake(nullptr, nullptr);
    if (port_.handle() == nullptr) return;
    for (Connection* base : connections()) {
      IocpConnection* conn = AsIocp(base);
      if (conn->inflight == 0) continue;
      for (IoOp* op : {&conn->receive, &conn->send, &conn->connect}) {
        if (op->posted && !op->immediate) CancelIoEx(op->handle, &op->overlapped);
      }
      for (auto& slot : conn->accepts) {
        if (slot->posted && !slot->immediate) CancelIoEx(slot->handle, &slot->overlapped);
      }
    }
    for (const Finished& done : immediate_) Reap(done.op);
    immediate_.clear();
    port_.StopThreads();
    port_.Take(&taken_);
    for (int round = 0;; ++round) {
      for (const Completion& packet : taken_) {
        if (packet.key == CompletionPort::kSocketKey && packet.overlapped != nullptr) Reap(OpOf(packet.overlapped));
      }
      taken_.clear();
      bool busy = false;
      for (Connection* conn : connections()) busy = busy || conn->inflight > 0;
      if (!busy || round == 200) break;
      port_.Wait(&taken_, 10);
    }
    for (Connection* conn : connections()) {
      for (auto& slot : AsIocp(conn)->accepts) ReleaseSlot(slot.get());
    }
  }

  static void Reap(IoOp* op) {
    if (op->posted) End(op);
    if (op->kind == OpKind::kAccept) ReleaseSlot(static_cast<AcceptSlot*>(op));
  }

  static void ReleaseSlot(AcceptSlot* slot) {
    if (slot->socket != INVALID_SOCKET) closesocket(slot->socket);
    if (slot->instance != INVALID_HANDLE_VALUE) CloseHandle(slot->instance);
    slot->socket = INVALID_SOCKET;
    slot->instance = INVALID_HANDLE_VALUE;
  }

  WinsockExtensions ext_;
  CompletionPort port_;
  HANDLE timer_queue_ = nullptr;
  std::vector<std::unique_ptr<ArmedTimer>> timers_;
  std::vector<Finished> immediate_;      // finished without a packet, for the next Drain
  std::vector<Finished> immediate_now_;
  std::vector<Completion> taken_;
  std::vector<uint8_t> read_buffer_;     // shared by every connection (rule 10)
};

}  // namespace

unsigned int DefaultIoThreads() { return 1; }

std::unique_ptr<Backend> CreateIocpBackend(const BackendOptions& options, int* error, std::string* why) {
  return MakeBackend<IocpBackend>(options, error, why);
}

}  // namespace iocp
}  // namespace iocpnet

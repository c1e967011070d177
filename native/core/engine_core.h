// EngineCore: everything a backend does that is not its I/O mechanism.
//
// It implements the Backend calls (the per-call state checks: which state
// gives EBADF, ENOTCONN, EPIPE), owns the handles and their Connections, what
// keeps Node's loop alive, each connection's send queue and receive stash,
// the close rules (flush, escalation, deadlines), retries of transient
// refusals, and the queue of events with their delivery. A backend (io_uring,
// epoll, IOCP) derives from it and supplies:
// - the hooks below (NewConnection, Register, StartListening, StartConnect,
//   ArmReceive, StartSend, CancelReceive, CancelAll, ArmTimer, RequestDrain),
//   each a small piece of its I/O mechanism;
// - Flush() and Drain(): it calls StartPendingSends() in Flush, and in Drain
//   brackets its completions with BeginDrain()/EndDrain(), reporting each
//   through the Handle*() functions, which queue events and deliver them.
// Rules cited are docs/DESIGN.md's.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "backend.h"
#include "buffer_pool.h"
#include "core/connection.h"
#include "core/deadline_queue.h"
#include "core/event_queue.h"
#include "core/idle_lists.h"
#include "errors.h"
#include "handle_table.h"
#include "platform/socket_ops.h"

namespace iocpnet {

class EngineCore : public Backend {
 public:
  explicit EngineCore(const BackendOptions& options);
  ~EngineCore() override;

  // Ref'd active handles, and events not yet delivered: an event queued for
  // a handle no longer active (a connect refused at once, a write's
  // completion) still keeps the loop alive until its Drain.
  bool HasRefedActiveHandles() const override { return active_refed_ > 0 || !events_.empty(); }

  int Listen(const SocketAddress& address, const ListenOptions& options, HandleId* out) override;
  int Connect(const SocketAddress& remote, const SocketAddress* local, HandleId* out) override;
  int Open(intptr_t descriptor, bool duplicate, int listen_backlog, HandleId* out) override;
  int ReadStart(HandleId id) override;
  int ReadStop(HandleId id) override;
  int Write(HandleId id, const WriteSlice* slices, size_t count, uint64_t token, bool committed) override;
  int TryWrite(HandleId id, const WriteSlice* slices, size_t count, size_t* written,
               bool first_of_turn = false) override;
  int Shutdown(HandleId id) override;
  int Close(HandleId id, CloseMode mode) override;
  int SetNoDelay(HandleId id, bool enable) override;
  int SetKeepAlive(HandleId id, bool enable, unsigned int initial_delay_secs, unsigned int interval_secs,
                   unsigned int count) override;
  int SetTypeOfService(HandleId id, int tos) override;
  int GetTypeOfService(HandleId id, int* out) const override;
  int SetUserTimeout(HandleId id, unsigned int timeout_ms) override;
  int SetIdleTimeout(HandleId id, uint32_t timeout_ms) override;
  int GetSockName(HandleId id, SocketAddress* out) const override;
  int GetPeerName(HandleId id, SocketAddress* out) const override;
  int Ref(HandleId id, bool ref) override;
  size_t QueuedBytes(HandleId id) const override;
  size_t CommittedBytes(HandleId id) const override;
  int NotifyWhenCommittedSent(HandleId id) override;

 protected:
  // ---- hooks: the backend's I/O mechanism ------------------------------
  // A new Connection of the backend's type (the core recycles them).
  virtual Connection* NewConnection() = 0;
  // Makes a new socket known to the I/O mechanism (epoll_ctl ADD,
  // CreateIoCompletionPort, ...). 0 or an errno; on error the core closes it.
  virtual int Register(Connection* conn) = 0;
  // The listener's socket is bound and listening: start accepting.
  virtual int StartListening(Connection* listener) = 0;
  // The socket exists (bound if asked): connect to `remote`. An error
  // known at once is returned (syscall "connect"); else HandleConnected().
  // By default libuv's way: a non-blocking connect(), then WaitConnected()
  // if it is in progress. (IOCP connects its own way: ConnectEx.) `remote`
  // lives only for the call: a backend that needs it later keeps a copy, so
  // accepted connections do not carry an address they never use.
  virtual int StartConnect(Connection* conn, const SocketAddress& remote);
  // The connect is in progress: HandleConnected(sockets::TakeError()) once
  // the socket is writable (or failed).
  virtual void WaitConnected(Connection* /*conn*/) {}
  // One receive, reported by HandleReceived/HandleEof/HandleReceiveError or
  // ReceiveEnded; receive_armed is set by the core.
  virtual void ArmReceive(Connection* conn) = 0;
  // One gathered send of `buffers`, reported by HandleSent/HandleSendFailed.
  virtual void StartSend(Connection* conn, const IoBuffer* buffers, size_t count) = 0;
  // Cancels the receive / every operation of the connection; their
  // completions still come (with UV_ECANCELED where the mechanism has one).
  virtual void CancelReceive(Connection* conn) = 0;
  virtual void CancelAll(Connection* conn) = 0;
  // A timer that calls HandleTimer() at `deadline_ms` (NowMs clock) or
  // earlier; several may be armed.
  virtual void ArmTimer(uint64_t deadline_ms) = 0;
  // Events are queued outside Drain: make PollFd readable (or wake) so the
  // loop comes back to Drain.
  virtual void RequestDrain() = 0;
  // The connection is about to be finalized (its socket closed): forget it.
  virtual void Unregister(Connection* /*conn*/) {}
  // Every write reached the kernel: end the write side (FIN). By default
  // shutdown(SHUT_WR); a backend whose handles have no half-close (IOCP's
  // named pipes) adds what ends the stream instead.
  virtual int ShutdownWrite(Connection* conn) { return sockets::ShutdownWrite(conn->fd); }

  // ---- for Flush and Drain ---------------------------------------------
  // Starts one gathered send on each connection that has writes queued this
  // turn (rule 1). Flush() calls it; it may call RequestDrain().
  void StartPendingSends();
  // Drain() brackets its completions with these.
  void BeginDrain(EventSink& sink);
  size_t EndDrain();
  // Hands every queued event to the sink (called by the Handle*() functions
  // too, so events go out in completion order).
  void DeliverQueued();
  bool HasQueuedEvents() const { return !events_.empty(); }

  // ---- completions: the backend reports here ---------------------------
  void HandleAccepted(Connection* listener, SocketHandle fd);
  void HandleAcceptError(Connection* listener, int status);
  void HandleConnected(Connection* conn, int status);
  // A receive ended: with bytes (valid during the call), at EOF, or failed.
  void HandleReceived(Connection* conn, const uint8_t* data, size_t size);
  void HandleEof(Connection* conn);
  void HandleReceiveError(Connection* conn, int status);
  // A non-blocking receive's result (sockets::ReceiveNow's: bytes read into
  // `data`, 0 at EOF, or a libuv error), reported as one of the three above.
  // False, with nothing reported, when nothing was there (UV_EAGAIN): each
  // backend waits for more its own way.
  bool HandleReceiveResult(Connection* conn, const uint8_t* data, int64_t result);
  // A receive ended with nothing to report (cancelled, or a backend
  // condition it re-arms itself): re-arm if still wanted.
  void ReceiveEnded(Connection* conn);
  // The gathered send took `bytes` (possibly fewer than gathered), or failed.
  void HandleSent(Connection* conn, size_t bytes);
  void HandleSendFailed(Connection* conn, int status);
  void HandleTimer();
  // After any completion of handle `id`'s (its id taken before the
  // completion was handled: the connection may be gone and reused since):
  // finish a close that waited for it, update liveness, deliver its events.
  void AfterCompletion(HandleId id);

  // ---- helpers -----------------------------------------------------------
  Connection* Find(HandleId id) const { return static_cast<Connection*>(handles_.Lookup(id)); }
  bool NeedsReceive(const Connection* conn) const;
  // ArmReceive when the connection wants one (reading, nothing held back).
  void RearmReceive(Connection* conn);
  static uint64_t NowMs();
  // The sink's memory for a receive on `conn` that runs now, inside Drain,
  // when its bytes would go straight to the sink (reading, nothing stashed);
  // nullptr otherwise (then the backend's own buffer: what is stashed is
  // copied anyway).
  uint8_t* SinkReceiveMemory(const Connection* conn, size_t* capacity);
  // Bytes one Drain receives before it stops reading (the rest is read by
  // the next Drain, one loop turn later). Why: the bridge hands a Drain's
  // chunks to JS in one call, and every chunk is held until that call; a
  // Drain of 1,000 connections x 64 KiB held ~60 MB of young Buffers, so
  // V8's scavenges (started by external memory) ran in the middle of it,
  // promoted them all, and only mark-compacts freed them (~25 per second in
  // a deep-pipeline echo, where node:net, one JS call per read, does none).
  static constexpr size_t kDrainReceiveBudget = 1024 * 1024;
  bool ReceiveBudgetSpent() const { return drain_received_ >= kDrainReceiveBudget; }
  const BackendOptions& options() const { return options_; }
  // Bytes per read: options().read_buffer_size as a page multiple, at most
  // 64 KiB, a 'data' chunk never larger than node's (rules 10, 17).
  size_t ReadBufferSize() const;
  // Every live Connection (teardown: cancel what is in flight).
  const std::vector<Connection*>& connections() const { return all_; }
  BufferPool& send_pool() { return send_pool_; }
  // How the libuv of the backend's platform reports a send that failed on a
  // dead connection while a receive is armed: Unix libuv reads first, so
  // node says 'read ECONNRESET' and the write's callback gets no error
  // (true); Windows libuv completes the WSASend with its own error, so node
  // says 'write ECONNRESET' (false).
  bool read_error_before_write_error_ = true;
  static constexpr size_t kMaxSendBuffers = 128;  // buffers per gathered send
  // TryWrite sends a turn's first small write at once only after a Drain of
  // at most this many events (see there).
  static constexpr size_t kEagerSendMaxBatch = 16;

 private:
  void NoteWrite(Connection* conn);  // counts the turn's writes (see TryWrite)
  Connection* Adopt(SocketHandle fd, int family);
  void Release(Connection* conn);
  void UpdateActive(Connection* conn);
  void QueueEvent(EventKind kind, HandleId id, int status, uint64_t token = 0);
  void Deliver(const Event& event);
  void DeliverData(Connection* conn, const uint8_t* data, size_t size);
  void MarkDirty(Connection* conn);
  void StartSendIfReady(Connection* conn);
  void WriteDone(Connection* conn, uint64_t token, bool committed, int status);
  void FailWrites(Connection* conn, int status);
  void MaybeShutdown(Connection* conn);
  void ScheduleRetry(Connection* conn, bool receive);
  void ArmTimerForNextDeadline();
  void AfterReceive(Connection* conn);
  void TouchIdle(Connection* conn);
  void ReadFailed(Connection* conn, int status);
  void ScheduleStash(Connection* conn);
  void DeliverStash(HandleId id);
  void DropStash(Connection* conn);
  void SendCommittedNow(Connection* conn);
  void Escalate(Connection* conn, CloseMode mode);
  void MaybeFinishClose(Connection* conn);

  BackendOptions options_;
  BufferPool send_pool_;
  HandleTable handles_;
  std::vector<Connection*> all_;   // every Connection ever made (owned)
  std::vector<Connection*> free_;  // released ones, reused by Adopt
  std::vector<HandleId> dirty_;    // connections with writes to start at Flush
  std::vector<HandleId> flushing_;
  uint32_t send_turn_ = 1;         // counts Flushes (TryWrite's first small write of a turn)
  EventQueue events_;
  DeadlineQueue deadlines_;
  IdleLists idle_;
  uint64_t timer_deadline_ = DeadlineQueue::kNone;  // earliest timer armed and not yet fired
  sockets::DescriptorReserve reserve_;
  EventSink* sink_ = nullptr;
  size_t delivered_ = 0;
  size_t drain_received_ = 0;  // bytes received in this Drain
  std::vector<uint8_t> scratch_;
  long active_refed_ = 0;
};

// Makes a backend of type B (an EngineCore with an `int Init(std::string*
// why)` returning 0 or -errno): null with *error / *why set when it cannot
// start here.
template <typename B>
std::unique_ptr<Backend> MakeBackend(const BackendOptions& options, int* error, std::string* why) {
  std::unique_ptr<B> backend(new B(options));
  int result = backend->Init(why);
  if (result < 0) {
    *error = UvErrorFromSystem(-result);
    return nullptr;
  }
  *error = 0;
  return backend;
}

}  // namespace iocpnet

// The backend interface: the one contract between the engine's platform code
// (io_uring and epoll on Linux, IOCP on Windows) and everything above it (src/ bridge,
// native/test). Nothing here names a platform API.
//
// Model
// - One Backend per Node environment (main thread or worker_thread), used only
//   by the thread that created it (the "owner thread"). A backend may run I/O
//   threads of its own (IOCP), but every call below and every event it
//   delivers happens on the owner thread.
// - Sockets are named by HandleId: slot + generation, never a raw fd/SOCKET.
//   A stale or unknown id is rejected with UV_EBADF and touches nothing.
// - Calls queue work; Flush() submits it (once per loop turn). Completions are
//   turned into Events by Drain(), which hands each to an EventSink.
// - Every call returns 0 or a negative libuv errno (native/errors.h): the
//   numbers Node puts in err.errno, the same on every platform.
//
// Ownership (rules 2, 4, 8, 9 of docs/DESIGN.md)
// - Bytes in a WriteSlice with borrowed == false are copied before Write()
//   returns. Borrowed bytes must stay valid, untouched, until the kWritten
//   event carrying that write's token.
// - Every accepted Write() produces exactly one kWritten event (status 0 when
//   every byte reached the kernel, else the error, UV_ECANCELED if the handle
//   was closed first). A rejected Write() (non-zero return) produces none.
// - Every handle produces exactly one kClosed event, after Close(), and it is
//   always the handle's last event. The id is dead once kClosed is delivered.
//   A handle accepted by a listener belongs to the caller from its
//   kConnection event on, and must be Close()d like any other.
// - Except committed writes: the caller reported them done when it made
//   them, so their kWritten comes only if they fail (not for the cancel of a
//   close the caller asked for).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "socket_address.h"

namespace iocpnet {

// slot (low 32 bits) | generation (bits 32..52). Fits a JS number exactly.
// 0 is never a valid id.
using HandleId = uint64_t;
constexpr HandleId kInvalidHandle = 0;

enum class EventKind : uint8_t {
  kConnection = 1,  // listener `handle` accepted `peer` (status 0), or accept failed (status < 0, no peer)
  kConnect = 2,     // outgoing connect on `handle` finished: status 0 or error (syscall "connect")
  kData = 3,        // `size` bytes at `data` received on `handle` (while reading; a ReadStop()
                    // made inside OnEvent does not hold back events already reaped in that Drain)
  kEnd = 4,         // peer sent FIN: no more kData on `handle`
  kReadError = 5,   // receive failed (e.g. UV_ECONNRESET); reading stops (syscall "read")
  kWritten = 6,     // the write `token` finished: status 0 or error (syscall "write")
  kShutdown = 7,    // Shutdown() done after every earlier write finished: status (syscall "shutdown")
  kClosed = 8,      // the handle is closed and its id is dead; always its last event
  kSent = 9,        // every committed write is in the kernel (NotifyWhenCommittedSent)
  kIdle = 10,       // no byte received or sent for the handle's idle timeout (SetIdleTimeout);
                    // once per idle period: the next byte starts a new one
};

struct Event {
  EventKind kind;
  HandleId handle;
  int32_t status;        // 0 or negative libuv errno
  HandleId peer;         // kConnection: the accepted connection's id
  uint64_t token;        // kWritten: the token given to Write()
  const uint8_t* data;   // kData: valid only during EventSink::OnEvent
  uint32_t size;         // kData: byte count
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(const Event& event) = 0;

  // Memory the next receive may fill in place, as libuv's alloc_cb: a kData
  // event whose `data` is this memory may keep it (the bridge hands it to JS
  // as the chunk's Buffer, with no copy). Valid until the next call or the
  // end of the Drain. nullptr (the default): the backend's own buffer.
  virtual uint8_t* LendReceiveMemory(size_t* capacity) {
    *capacity = 0;
    return nullptr;
  }
};

struct WriteSlice {
  const uint8_t* data;
  size_t size;
  bool borrowed;  // true: caller keeps `data` alive until kWritten; false: copied now
};

struct ListenOptions {
  int backlog = 511;
  bool ipv6_only = false;
  bool reuse_port = false;  // SO_REUSEPORT: listeners of one port share its connections (UV_ENOTSUP where none)
};

enum class CloseMode : uint8_t {
  // Finish every queued write, shutdown the write side (FIN), then close.
  // Never loses a byte already accepted by Write() (rule 6).
  kGraceful = 0,
  // Like uv_close: cancel reads, fail writes not yet handed to the kernel with
  // UV_ECANCELED, close. Bytes already in the kernel are still delivered, and
  // so are committed writes (Write()), which the user counts as sent.
  kAbort = 1,
  // resetAndDestroy(): SO_LINGER {1,0} then close: the peer gets RST (rule 7).
  kReset = 2,
};

// Settings only the io_uring backend has.
struct UringOptions {
  uint32_t ring_entries = 1024;       // submission queue size (the completion queue has 4x)
  uint32_t recv_buffer_count = 1024;  // provided-buffer ring size (rounded to a power of two)
  bool provide_buffers = false;       // classic PROVIDE_BUFFERS instead of a mapped ring (tests)
};

// Settings only the epoll backend has.
struct EpollOptions {
  uint32_t events_per_wait = 1024;  // readiness events taken per Drain
};

// Settings only the IOCP backend has.
struct IocpOptions {
  uint32_t io_threads = 0;  // threads waiting on the completion port; 0: the measured default
};

struct BackendOptions {
  std::string name;  // "", "uring", "epoll", "iocp": "" picks the default (epoll on Linux, IOCP on Windows)
  uint32_t read_buffer_size = 64 * 1024;  // bytes per read: page multiple, at most 64 KiB (rules 10, 17)
  uint32_t close_timeout_ms = 5000;       // a graceful close gives up and aborts after this (rule 6)
  UringOptions uring;
  EpollOptions epoll;
  IocpOptions iocp;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // "uring", "epoll" or "iocp".
  virtual const char* Name() const = 0;

  // --- loop integration -------------------------------------------------
  // A file descriptor that becomes readable when Drain() has work (io_uring:
  // an eventfd the ring signals, or the ring fd itself when completion work
  // is not deferred). -1 for backends that use the wake callback.
  virtual int PollFd() const = 0;
  // For backends with I/O threads: called from any thread when Drain() has
  // work. The bridge points it at uv_async_send. Unused when PollFd() >= 0.
  virtual void SetWakeCallback(void (*wake)(void* arg), void* arg) = 0;
  // Submit everything queued since the last Flush (one syscall per turn).
  virtual void Flush() = 0;
  // Reap completions and deliver their events to `sink`, in completion order.
  // Returns the number of events delivered. Calls made by the sink while it
  // runs are queued and flushed by the next Flush().
  virtual size_t Drain(EventSink& sink) = 0;
  // True while some handle that is ref'd is active (listening, reading,
  // connecting, writing, shutting down or closing): what keeps Node's loop alive.
  // (As in libuv, pending connect/write/shutdown requests and handles being
  // closed count even when their handle is unref'd.)
  virtual bool HasRefedActiveHandles() const = 0;

  // --- servers ----------------------------------------------------------
  // socket + bind + listen, synchronously (so getsockname works at once),
  // then accepts are posted. TCP (v4/v6) or Unix path (address.IsUnix()).
  virtual int Listen(const SocketAddress& address, const ListenOptions& options, HandleId* out) = 0;

  // --- clients ----------------------------------------------------------
  // socket [+ bind(local)] synchronously (errors returned; syscall "bind"),
  // then connect asynchronously (kConnect). `local` may be null.
  virtual int Connect(const SocketAddress& remote, const SocketAddress* local, HandleId* out) = 0;

  // --- existing sockets ---------------------------------------------------
  // Takes over a socket made elsewhere (node's `new Socket({ fd })`,
  // `listen({ fd })`, a connection or listener a cluster primary hands a
  // worker): a listening stream socket starts accepting, a connected one is
  // a stream (not reading yet). The engine owns `descriptor` from a 0 return
  // on (made non-blocking, closed with the handle); on error it is not taken.
  // UV_ENOTSOCK / UV_EINVAL (not a stream socket, neither listening nor
  // connected); UV_ENOTSUP where a socket cannot change owners (IOCP).
  // `duplicate`: the engine takes a copy of its own (a dup) and the caller
  // keeps `descriptor` (a worker given node's handle closes that handle).
  // `listen_backlog` > 0: a socket neither listening nor connected is made
  // to listen (node's listen({ fd }) on a bound socket; the bound, not yet
  // listening socket a cluster primary shares with a worker); listen(2)'s
  // error is returned as is (syscall "listen"). < 0: only a connected socket
  // is taken (node's new Socket({ fd })); a listening one is UV_EINVAL.
  virtual int Open(intptr_t descriptor, bool duplicate, int listen_backlog, HandleId* out) = 0;

  // --- streams ----------------------------------------------------------
  virtual int ReadStart(HandleId id) = 0;  // kData/kEnd/kReadError flow until ReadStop
  virtual int ReadStop(HandleId id) = 0;   // stop taking bytes from the kernel (backpressure)
  // `committed`: the caller has already told its user this write is done
  // (node would have it in the kernel), so kAbort still delivers it; the
  // caller keeps committed writes a prefix of the queue and small.
  virtual int Write(HandleId id, const WriteSlice* slices, size_t count, uint64_t token,
                    bool committed = false) = 0;
  // Like uv_try_write: when nothing of this handle is queued or in flight,
  // hands the kernel what it takes right now, synchronously, and sets
  // *written (0 if it took nothing); the caller Write()s the rest. Otherwise
  // (writes queued, not connected, closing, any error) returns UV_EAGAIN and
  // sends nothing, so ordering and error reporting stay Write()'s. Used for
  // large writes: the caller's memory is free again on return. And for the
  // first small write of a turn (`first_of_turn`): a reply goes out while its
  // caller is still running, as node's does, not after the rest of the JS
  // batch; UV_EAGAIN if the handle already sent one at once since the last
  // Flush, so the turn's later small writes still gather into one send (rule 1).
  virtual int TryWrite(HandleId id, const WriteSlice* slices, size_t count, size_t* written,
                       bool first_of_turn = false) = 0;
  virtual int Shutdown(HandleId id) = 0;   // after pending writes: shutdown(SHUT_WR); kShutdown
  virtual int Close(HandleId id, CloseMode mode) = 0;

  // --- options and addresses --------------------------------------------
  virtual int SetNoDelay(HandleId id, bool enable) = 0;
  // libuv's uv_tcp_keepalive_ex: idle time, probe interval and probe count
  // in seconds (node before 24.19 always asks for a 1 s interval and 10 probes).
  virtual int SetKeepAlive(HandleId id, bool enable, unsigned int initial_delay_secs, unsigned int interval_secs,
                           unsigned int count) = 0;
  // IP_TOS / IPV6_TCLASS by the socket's family (node's setTypeOfService).
  virtual int SetTypeOfService(HandleId id, int tos) = 0;
  virtual int GetTypeOfService(HandleId id, int* out) const = 0;
  // TCP_USER_TIMEOUT in ms (0: the system's).
  virtual int SetUserTimeout(HandleId id, unsigned int timeout_ms) = 0;
  // The idle reaper's timeout (0: off). On a stream: one kIdle once nothing
  // was received or sent for that long, counted from now. On a listener:
  // given to each connection it accepts from now on. No timer per handle:
  // the core keeps handles in order of activity (core/idle_lists.h).
  virtual int SetIdleTimeout(HandleId id, uint32_t timeout_ms) = 0;
  virtual int GetSockName(HandleId id, SocketAddress* out) const = 0;
  virtual int GetPeerName(HandleId id, SocketAddress* out) const = 0;
  virtual int Ref(HandleId id, bool ref) = 0;  // ref(false) == unref
  // Bytes accepted by Write() not yet handed to the kernel (Socket#bufferSize).
  virtual size_t QueuedBytes(HandleId id) const = 0;
  // Bytes of committed writes not yet handed to the kernel.
  virtual size_t CommittedBytes(HandleId id) const = 0;
  // One kSent once CommittedBytes(id) is 0 (at once if it is already).
  virtual int NotifyWhenCommittedSent(HandleId id) = 0;
};

// Creates the backend named by options.name, or the best one that works here
// when it is empty. On failure returns null and sets *error (negative errno)
// and *why (a sentence a user can act on, e.g. "io_uring needs Linux >= 6.1").
std::unique_ptr<Backend> CreateBackend(const BackendOptions& options, int* error, std::string* why);

}  // namespace iocpnet

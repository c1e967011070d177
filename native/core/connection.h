// Connection: what the engine core knows about one handle (a listener or a
// stream), whatever the backend. A backend derives its own type from it for
// what only it needs (an io_uring msghdr, an OVERLAPPED, epoll readiness)
// and resets that part in ResetBackendState() when the core recycles the
// object for a new handle (steady-state operation allocates nothing).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend.h"
#include "core/send_queue.h"
#include "platform/socket_ops.h"
#include "socket_address.h"

namespace iocpnet {

struct Connection;

// Everything about a handle that starts afresh with each new one.
struct ConnectionState {
  HandleId id = 0;
  SocketHandle fd = kInvalidSocket;
  int family = 0;
  bool listener = false;
  bool ref = true;
  bool active_counted = false;  // counted in EngineCore's active handles

  // listener
  bool listening = false;
  bool adopted = false;     // made elsewhere (Backend::Open): other descriptors may share the socket
  std::string unlink_path;  // Unix listener path removed at close (like libuv)

  // connection state
  bool connecting = false;
  bool connected = false;

  // reading: one receive at a time, re-armed while reading (rules 5, 17)
  bool reading = false;
  bool eof = false;
  bool read_failed = false;
  bool receive_armed = false;          // the backend has a receive going
  bool receive_retry_pending = false;  // refused for now: armed again at its retry deadline
  bool stash_eof = false;              // (the stash's bytes are in Connection::stash)
  int stash_error = 0;
  bool stash_scheduled = false;        // a kDeliverStash action is queued

  // writing (rules 1-3; the queue is Connection::send)
  bool send_inflight = false;          // the backend has a gathered send going
  bool send_dirty = false;             // listed to start a send at the next Flush
  bool send_retry_pending = false;     // refused for now: started again at its retry deadline
  int write_error = 0;
  bool writes_fail_after_read = false; // write_error waits for the receive to report first
  bool sent_notice_wanted = false;     // kSent once no committed byte is left unsent
  uint32_t write_turn = 0;             // the send turn of its last write, and how many it had:
  uint32_t writes_in_turn = 0;         //   a turn's first small write may go at once (TryWrite),
  bool gathers_writes = false;         //   unless its last turn with a send gathered several

  // shutdown / close
  bool shutdown_requested = false;
  bool shutdown_done = false;          // shutdown(SHUT_WR) issued
  bool closing = false;
  CloseMode close_mode = CloseMode::kGraceful;
  bool close_flushes = false;          // the close waits for queued writes to reach the kernel
  bool finalized = false;              // socket closed, kClosed queued

  // idle reaper (core/idle_lists.h). A listener's timeout goes to each
  // connection it accepts.
  uint32_t idle_timeout_ms = 0;
  bool idle_linked = false;            // in its list: a kIdle is due once idle for the timeout
  uint64_t idle_since_ms = 0;          // the last byte in or out
  Connection* idle_prev = nullptr;
  Connection* idle_next = nullptr;

  // Backend operations in the kernel (receives, sends, connects, accepts,
  // cancels): the connection is released only when none is left (rule 9).
  uint32_t inflight = 0;
};

struct Connection : ConnectionState {
  virtual ~Connection() = default;
  // Resets what the backend's type adds, for a new handle.
  virtual void ResetBackendState() {}

  // Kept across handles with their storage (Reset, clear).
  SendQueue send;
  std::vector<uint8_t> stash;  // bytes that arrived while not reading

  bool WritesPending() const { return send.has_writes() || send_inflight; }
  bool HasStash() const { return !stash.empty() || stash_eof || stash_error != 0; }
};

}  // namespace iocpnet

// LoopDriver: wires a backend to Node's own libuv loop, so completions are
// handled on the JS thread with no extra thread and no cross-thread hop.
//
// - Completions: a uv_poll on the backend's poll fd (PollFd() >= 0), or a
//   uv_async that the backend's I/O threads signal (PollFd() < 0, IOCP).
// - Submissions: an unref'd uv_prepare runs once per loop turn, right before
//   the loop may block in poll, so whatever JS queued during the turn is
//   submitted with one Flush() and never left waiting.
// - Liveness: only the completion handle is ever ref'd, and only while the
//   backend has ref'd active handles (SetRef), like a uv_tcp_t would be.
#pragma once

#include <uv.h>

namespace iocpnet {
namespace bridge {

class LoopDriver {
 public:
  class Client {
   public:
    virtual void OnCompletionsReady() = 0;  // the poll fd is readable / the backend woke us
    virtual void OnBeforePoll() = 0;        // once per loop turn (uv_prepare)

   protected:
    ~Client() = default;
  };

  LoopDriver() = default;
  LoopDriver(const LoopDriver&) = delete;
  LoopDriver& operator=(const LoopDriver&) = delete;

  // Starts the handles on `loop`. poll_fd < 0 selects the uv_async wake-up
  // (hand Wake/this to the backend). Returns 0 or a negative libuv errno; on
  // failure Close() must still be called.
  int Start(uv_loop_t* loop, int poll_fd, Client* client);

  // For backends with I/O threads: thread-safe wake-up, `arg` is this driver.
  static void Wake(void* arg);

  // Keep the loop alive (true) or not (false). Cheap; idempotent.
  void SetRef(bool ref);

  // Stops reading the poll fd at once (before its owner closes it).
  void StopWatching();

  // Stops and closes every initialized handle. `done(arg)` runs once all
  // close callbacks have run (a later loop turn), or at once if none was open.
  // The driver must stay allocated until then.
  void Close(void (*done)(void* arg), void* arg);

 private:
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnAsync(uv_async_t* handle);
  static void OnPrepare(uv_prepare_t* handle);
  static void OnClosed(uv_handle_t* handle);

  uv_handle_t* completion_handle();

  Client* client_ = nullptr;
  bool use_poll_ = true;
  bool completion_open_ = false;  // initialized, so it must be uv_close()d
  bool prepare_open_ = false;
  bool closing_started_ = false;
  bool refed_ = false;
  int closing_ = 0;  // close callbacks still to come
  void (*close_done_)(void*) = nullptr;
  void* close_arg_ = nullptr;
  uv_poll_t poll_{};
  uv_async_t async_{};
  uv_prepare_t prepare_{};
};

}  // namespace bridge
}  // namespace iocpnet

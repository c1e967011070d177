// PendingRequests: the engine requests that keep Node's loop alive whatever
// the handle's ref state, as libuv requests do (uv_connect_t, uv_shutdown_t,
// uv_write_t) and as a closing handle does: an unref'd socket still finishes
// connecting, shutting down and closing before the process may exit.
// (Writes are counted by WritePins; listening and reading follow the
// handle's ref and are the backend's HasRefedActiveHandles().)
//
// Per handle a bit per request kind, so a duplicate success cannot leak a
// count; everything of a handle is dropped at its kClosed (its last event).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "backend.h"

namespace iocpnet {
namespace bridge {

class PendingRequests {
 public:
  enum Kind : uint8_t { kConnect = 1, kShutdown = 2, kClose = 4 };

  // A call that will produce the matching event succeeded.
  void Started(HandleId handle, Kind kind);
  // Every event passes here: kConnect/kShutdown/kClosed end requests.
  void OnEvent(const Event& event);

  bool any() const { return count_ > 0; }
  size_t count() const { return count_; }

 private:
  void Finish(HandleId handle, uint8_t kinds);

  std::unordered_map<HandleId, uint8_t> pending_;
  size_t count_ = 0;
};

}  // namespace bridge
}  // namespace iocpnet

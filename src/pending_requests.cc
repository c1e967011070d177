#include "pending_requests.h"

namespace iocpnet {
namespace bridge {

void PendingRequests::Started(HandleId handle, Kind kind) {
  uint8_t& bits = pending_[handle];
  if ((bits & kind) == 0) {
    bits |= kind;
    ++count_;
  }
}

void PendingRequests::Finish(HandleId handle, uint8_t kinds) {
  auto it = pending_.find(handle);
  if (it == pending_.end()) return;
  uint8_t ending = it->second & kinds;
  for (uint8_t bit = 1; bit <= kClose; bit <<= 1) {
    if (ending & bit) --count_;
  }
  it->second &= static_cast<uint8_t>(~kinds);
  if (it->second == 0) pending_.erase(it);
}

void PendingRequests::OnEvent(const Event& event) {
  switch (event.kind) {
    case EventKind::kConnect:
      Finish(event.handle, kConnect);
      break;
    case EventKind::kShutdown:
      Finish(event.handle, kShutdown);
      break;
    case EventKind::kClosed:
      Finish(event.handle, kConnect | kShutdown | kClose);
      break;
    default:
      break;
  }
}

}  // namespace bridge
}  // namespace iocpnet

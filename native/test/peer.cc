// The platform-neutral part of test peers (test/peer.h).
#include "test/peer.h"

namespace iocpnet {
namespace test {

bool ReadFully(RawSocket socket, void* data, size_t size) {
  uint8_t* p = static_cast<uint8_t*>(data);
  while (size > 0) {
    int64_t n = RawReceiveSome(socket, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteFully(RawSocket socket, const void* data, size_t size) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    int64_t n = RawSendSome(socket, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace test
}  // namespace iocpnet

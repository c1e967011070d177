// IoBuffer: one buffer of a gathered send, in the platform's own layout
// (iovec for sendmsg/writev, WSABUF for WSASend), so the send queue fills
// the array the system call takes with no conversion.
#pragma once

#include <cstddef>
#include <cstdint>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <sys/uio.h>
#endif

namespace iocpnet {

#ifdef _WIN32
using IoBuffer = WSABUF;
// WSABUF lengths are 32-bit: the send queue never puts more in one buffer.
constexpr size_t kMaxIoBufferBytes = 1u << 30;
inline void SetIoBuffer(IoBuffer* buffer, const uint8_t* data, size_t size) {
  buffer->buf = reinterpret_cast<char*>(const_cast<uint8_t*>(data));
  buffer->len = static_cast<ULONG>(size);
}
inline size_t IoBufferSize(const IoBuffer& buffer) { return buffer.len; }
#else
using IoBuffer = iovec;
constexpr size_t kMaxIoBufferBytes = static_cast<size_t>(1) << 30;
inline void SetIoBuffer(IoBuffer* buffer, const uint8_t* data, size_t size) {
  buffer->iov_base = const_cast<uint8_t*>(data);
  buffer->iov_len = size;
}
inline size_t IoBufferSize(const IoBuffer& buffer) { return buffer.iov_len; }
#endif

}  // namespace iocpnet

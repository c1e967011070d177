// Error mapping: every engine call and event status is 0 or a negative libuv
// errno, the number Node puts in err.errno. On Linux libuv uses -errno, so the
// mapping is the identity; a Windows table (WSA* / ERROR_* -> UV_*) goes in
// errors.cc behind _WIN32 when the IOCP backend lands.
#pragma once

#include <cerrno>

namespace iocpnet {

#ifndef _WIN32
// The libuv error numbers the engine itself produces (Linux values).
constexpr int UV_EACCES = -EACCES;
constexpr int UV_EADDRINUSE = -EADDRINUSE;
constexpr int UV_EADDRNOTAVAIL = -EADDRNOTAVAIL;
constexpr int UV_EAFNOSUPPORT = -EAFNOSUPPORT;
constexpr int UV_EAGAIN = -EAGAIN;
constexpr int UV_EALREADY = -EALREADY;
constexpr int UV_EBADF = -EBADF;
constexpr int UV_EBUSY = -EBUSY;
constexpr int UV_ECANCELED = -ECANCELED;
constexpr int UV_ECONNABORTED = -ECONNABORTED;
constexpr int UV_ECONNREFUSED = -ECONNREFUSED;
constexpr int UV_ECONNRESET = -ECONNRESET;
constexpr int UV_EINPROGRESS = -EINPROGRESS;
constexpr int UV_EINTR = -EINTR;
constexpr int UV_EINVAL = -EINVAL;
constexpr int UV_EMFILE = -EMFILE;
constexpr int UV_ENAMETOOLONG = -ENAMETOOLONG;
constexpr int UV_ENFILE = -ENFILE;
constexpr int UV_ENOBUFS = -ENOBUFS;
constexpr int UV_ENOENT = -ENOENT;
constexpr int UV_ENOMEM = -ENOMEM;
constexpr int UV_ENOSYS = -ENOSYS;
constexpr int UV_ENOTCONN = -ENOTCONN;
constexpr int UV_ENOTSOCK = -ENOTSOCK;
constexpr int UV_ENOTSUP = -ENOTSUP;
constexpr int UV_EPERM = -EPERM;
constexpr int UV_EPIPE = -EPIPE;
constexpr int UV_ETIMEDOUT = -ETIMEDOUT;
#endif
// Same value on every platform (libuv's own numbers).
constexpr int UV_EOF = -4095;
constexpr int UV_UNKNOWN = -4094;

// A platform error code (errno; later GetLastError/WSAGetLastError) as a
// negative libuv errno. 0 stays 0.
int UvErrorFromSystem(int system_error);

// UvErrorFromSystem(errno).
int UvLastError();

// "ECONNREFUSED" for UV_ECONNREFUSED, ...; "UNKNOWN" for numbers libuv does
// not name (Node prints those as "Unknown system error").
const char* UvErrorName(int uv_error);

// libuv's uv_strerror() text, e.g. "connection refused".
const char* UvErrorMessage(int uv_error);

}  // namespace iocpnet

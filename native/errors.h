// Error mapping: every engine call and event status is 0 or a negative libuv
// errno, the number Node puts in err.errno. libuv's numbers differ per
// platform: on Linux UV_Exxx is -Exxx (the mapping is the identity); on
// Windows they are libuv's own fixed values (UV_ECONNREFUSED is -4078), and
// Win32 / WSA codes are translated exactly as libuv's uv_translate_sys_error.
#pragma once

#include <cerrno>

// IOCPNET_UV_NUMBER(POSIX_NAME, windows_value): libuv's number for an error.
// (An unused macro argument is never expanded, so Windows needs no E* name.)
#ifdef _WIN32
#define IOCPNET_UV_NUMBER(posix, windows) (windows)
#else
#define IOCPNET_UV_NUMBER(posix, windows) (-(posix))
#endif

namespace iocpnet {

// The libuv error numbers the engine itself produces.
constexpr int UV_EACCES = IOCPNET_UV_NUMBER(EACCES, -4092);
constexpr int UV_EADDRINUSE = IOCPNET_UV_NUMBER(EADDRINUSE, -4091);
constexpr int UV_EADDRNOTAVAIL = IOCPNET_UV_NUMBER(EADDRNOTAVAIL, -4090);
constexpr int UV_EAFNOSUPPORT = IOCPNET_UV_NUMBER(EAFNOSUPPORT, -4089);
constexpr int UV_EAGAIN = IOCPNET_UV_NUMBER(EAGAIN, -4088);
constexpr int UV_EALREADY = IOCPNET_UV_NUMBER(EALREADY, -4084);
constexpr int UV_EBADF = IOCPNET_UV_NUMBER(EBADF, -4083);
constexpr int UV_EBUSY = IOCPNET_UV_NUMBER(EBUSY, -4082);
constexpr int UV_ECANCELED = IOCPNET_UV_NUMBER(ECANCELED, -4081);
constexpr int UV_ECONNABORTED = IOCPNET_UV_NUMBER(ECONNABORTED, -4079);
constexpr int UV_ECONNREFUSED = IOCPNET_UV_NUMBER(ECONNREFUSED, -4078);
constexpr int UV_ECONNRESET = IOCPNET_UV_NUMBER(ECONNRESET, -4077);
constexpr int UV_EINTR = IOCPNET_UV_NUMBER(EINTR, -4072);
constexpr int UV_EINVAL = IOCPNET_UV_NUMBER(EINVAL, -4071);
constexpr int UV_EMFILE = IOCPNET_UV_NUMBER(EMFILE, -4066);
constexpr int UV_ENAMETOOLONG = IOCPNET_UV_NUMBER(ENAMETOOLONG, -4064);
constexpr int UV_ENETUNREACH = IOCPNET_UV_NUMBER(ENETUNREACH, -4062);
constexpr int UV_ENFILE = IOCPNET_UV_NUMBER(ENFILE, -4061);
constexpr int UV_ENOBUFS = IOCPNET_UV_NUMBER(ENOBUFS, -4060);
constexpr int UV_ENOENT = IOCPNET_UV_NUMBER(ENOENT, -4058);
constexpr int UV_ENOMEM = IOCPNET_UV_NUMBER(ENOMEM, -4057);
constexpr int UV_ENOSYS = IOCPNET_UV_NUMBER(ENOSYS, -4054);
constexpr int UV_ENOTCONN = IOCPNET_UV_NUMBER(ENOTCONN, -4053);
constexpr int UV_ENOTSOCK = IOCPNET_UV_NUMBER(ENOTSOCK, -4050);
constexpr int UV_ENOTSUP = IOCPNET_UV_NUMBER(ENOTSUP, -4049);
constexpr int UV_EPERM = IOCPNET_UV_NUMBER(EPERM, -4048);
constexpr int UV_EPIPE = IOCPNET_UV_NUMBER(EPIPE, -4047);
constexpr int UV_ETIMEDOUT = IOCPNET_UV_NUMBER(ETIMEDOUT, -4039);
// Windows has no EINPROGRESS in libuv's table: the engine uses it only
// between a POSIX connect() and its wait, never reported to a user.
#ifdef _WIN32
constexpr int UV_EINPROGRESS = -4400;  // internal only (not a libuv number)
#else
constexpr int UV_EINPROGRESS = -EINPROGRESS;
#endif
// Same value on every platform (libuv's own numbers).
constexpr int UV_EOF = -4095;
constexpr int UV_UNKNOWN = -4094;

// A platform error code as a negative libuv errno: errno on Linux; a Win32
// or WSA code (GetLastError / WSAGetLastError) on Windows. 0 stays 0, and a
// negative value is taken as already a libuv number.
int UvErrorFromSystem(int system_error);

// The calling thread's last error (errno; GetLastError on Windows, which is
// also what WSAGetLastError returns) as a negative libuv errno.
int UvLastError();

// "ECONNREFUSED" for UV_ECONNREFUSED, ...; "UNKNOWN" for numbers libuv does
// not name (Node prints those as "Unknown system error").
const char* UvErrorName(int uv_error);

// libuv's uv_strerror() text, e.g. "connection refused".
const char* UvErrorMessage(int uv_error);

}  // namespace iocpnet

#include "errors.h"

#include <cerrno>

#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
// mingw-w64 10's winerror.h lacks it (740 in the Windows SDK).
#ifndef ERROR_ELEVATION_REQUIRED
#define ERROR_ELEVATION_REQUIRED 740
#endif
#endif

namespace iocpnet {

namespace {

struct ErrorInfo {
  int uv_error;
  const char* name;
  const char* message;
};

// libuv's names and messages for the errors it knows, with this platform's
// numbers. Special libuv-only numbers (EAI_*, ECHARSET, EFTYPE, EOF,
// UNKNOWN) use libuv's fixed values.
const ErrorInfo kErrors[] = {
    {IOCPNET_UV_NUMBER(E2BIG, -4093), "E2BIG", "argument list too long"},
    {IOCPNET_UV_NUMBER(EACCES, -4092), "EACCES", "permission denied"},
    {IOCPNET_UV_NUMBER(EADDRINUSE, -4091), "EADDRINUSE", "address already in use"},
    {IOCPNET_UV_NUMBER(EADDRNOTAVAIL, -4090), "EADDRNOTAVAIL", "address not available"},
    {IOCPNET_UV_NUMBER(EAFNOSUPPORT, -4089), "EAFNOSUPPORT", "address family not supported"},
    {IOCPNET_UV_NUMBER(EAGAIN, -4088), "EAGAIN", "resource temporarily unavailable"},
    {-3000, "EAI_ADDRFAMILY", "address family not supported"},
    {-3001, "EAI_AGAIN", "temporary failure"},
    {-3002, "EAI_BADFLAGS", "bad ai_flags value"},
    {-3003, "EAI_CANCELED", "request canceled"},
    {-3004, "EAI_FAIL", "permanent failure"},
    {-3005, "EAI_FAMILY", "ai_family not supported"},
    {-3006, "EAI_MEMORY", "out of memory"},
    {-3007, "EAI_NODATA", "no address"},
    {-3008, "EAI_NONAME", "unknown node or service"},
    {-3009, "EAI_OVERFLOW", "argument buffer overflow"},
    {-3010, "EAI_SERVICE", "service not available for socket type"},
    {-3011, "EAI_SOCKTYPE", "socket type not supported"},
    {-3013, "EAI_BADHINTS", "invalid value for hints"},
    {-3014, "EAI_PROTOCOL", "resolved protocol is unknown"},
    {IOCPNET_UV_NUMBER(EALREADY, -4084), "EALREADY", "connection already in progress"},
    {IOCPNET_UV_NUMBER(EBADF, -4083), "EBADF", "bad file descriptor"},
    {IOCPNET_UV_NUMBER(EBUSY, -4082), "EBUSY", "resource busy or locked"},
    {IOCPNET_UV_NUMBER(ECANCELED, -4081), "ECANCELED", "operation canceled"},
    {-4080, "ECHARSET", "invalid Unicode character"},
    {IOCPNET_UV_NUMBER(ECONNABORTED, -4079), "ECONNABORTED", "software caused connection abort"},
    {IOCPNET_UV_NUMBER(ECONNREFUSED, -4078), "ECONNREFUSED", "connection refused"},
    {IOCPNET_UV_NUMBER(ECONNRESET, -4077), "ECONNRESET", "connection reset by peer"},
    {IOCPNET_UV_NUMBER(EDESTADDRREQ, -4076), "EDESTADDRREQ", "destination address required"},
    {IOCPNET_UV_NUMBER(EEXIST, -4075), "EEXIST", "file already exists"},
    {IOCPNET_UV_NUMBER(EFAULT, -4074), "EFAULT", "bad address in system call argument"},
    {IOCPNET_UV_NUMBER(EFBIG, -4036), "EFBIG", "file too large"},
    {IOCPNET_UV_NUMBER(EHOSTUNREACH, -4073), "EHOSTUNREACH", "host is unreachable"},
    {IOCPNET_UV_NUMBER(EINTR, -4072), "EINTR", "interrupted system call"},
    {IOCPNET_UV_NUMBER(EINVAL, -4071), "EINVAL", "invalid argument"},
    {IOCPNET_UV_NUMBER(EIO, -4070), "EIO", "i/o error"},
    {IOCPNET_UV_NUMBER(EISCONN, -4069), "EISCONN", "socket is already connected"},
    {IOCPNET_UV_NUMBER(EISDIR, -4068), "EISDIR", "illegal operation on a directory"},
    {IOCPNET_UV_NUMBER(ELOOP, -4067), "ELOOP", "too many symbolic links encountered"},
    {IOCPNET_UV_NUMBER(EMFILE, -4066), "EMFILE", "too many open files"},
    {IOCPNET_UV_NUMBER(EMSGSIZE, -4065), "EMSGSIZE", "message too long"},
    {IOCPNET_UV_NUMBER(ENAMETOOLONG, -4064), "ENAMETOOLONG", "name too long"},
    {IOCPNET_UV_NUMBER(ENETDOWN, -4063), "ENETDOWN", "network is down"},
    {IOCPNET_UV_NUMBER(ENETUNREACH, -4062), "ENETUNREACH", "network is unreachable"},
    {IOCPNET_UV_NUMBER(ENFILE, -4061), "ENFILE", "file table overflow"},
    {IOCPNET_UV_NUMBER(ENOBUFS, -4060), "ENOBUFS", "no buffer space available"},
    {IOCPNET_UV_NUMBER(ENODEV, -4059), "ENODEV", "no such device"},
    {IOCPNET_UV_NUMBER(ENOENT, -4058), "ENOENT", "no such file or directory"},
    {IOCPNET_UV_NUMBER(ENOMEM, -4057), "ENOMEM", "not enough memory"},
    {IOCPNET_UV_NUMBER(ENONET, -4056), "ENONET", "machine is not on the network"},
    {IOCPNET_UV_NUMBER(ENOPROTOOPT, -4035), "ENOPROTOOPT", "protocol not available"},
    {IOCPNET_UV_NUMBER(ENOSPC, -4055), "ENOSPC", "no space left on device"},
    {IOCPNET_UV_NUMBER(ENOSYS, -4054), "ENOSYS", "function not implemented"},
    {IOCPNET_UV_NUMBER(ENOTCONN, -4053), "ENOTCONN", "socket is not connected"},
    {IOCPNET_UV_NUMBER(ENOTDIR, -4052), "ENOTDIR", "not a directory"},
    {IOCPNET_UV_NUMBER(ENOTEMPTY, -4051), "ENOTEMPTY", "directory not empty"},
    {IOCPNET_UV_NUMBER(ENOTSOCK, -4050), "ENOTSOCK", "socket operation on non-socket"},
    {IOCPNET_UV_NUMBER(ENOTSUP, -4049), "ENOTSUP", "operation not supported on socket"},
    {IOCPNET_UV_NUMBER(EOVERFLOW, -4026), "EOVERFLOW", "value too large for defined data type"},
    {IOCPNET_UV_NUMBER(EPERM, -4048), "EPERM", "operation not permitted"},
    {IOCPNET_UV_NUMBER(EPIPE, -4047), "EPIPE", "broken pipe"},
    {IOCPNET_UV_NUMBER(EPROTO, -4046), "EPROTO", "protocol error"},
    {IOCPNET_UV_NUMBER(EPROTONOSUPPORT, -4045), "EPROTONOSUPPORT", "protocol not supported"},
    {IOCPNET_UV_NUMBER(EPROTOTYPE, -4044), "EPROTOTYPE", "protocol wrong type for socket"},
    {IOCPNET_UV_NUMBER(ERANGE, -4034), "ERANGE", "result too large"},
    {IOCPNET_UV_NUMBER(EROFS, -4043), "EROFS", "read-only file system"},
    {IOCPNET_UV_NUMBER(ESHUTDOWN, -4042), "ESHUTDOWN", "cannot send after transport endpoint shutdown"},
    {IOCPNET_UV_NUMBER(ESPIPE, -4041), "ESPIPE", "invalid seek"},
    {IOCPNET_UV_NUMBER(ESRCH, -4040), "ESRCH", "no such process"},
    {IOCPNET_UV_NUMBER(ETIMEDOUT, -4039), "ETIMEDOUT", "connection timed out"},
    {IOCPNET_UV_NUMBER(ETXTBSY, -4038), "ETXTBSY", "text file is busy"},
    {IOCPNET_UV_NUMBER(EXDEV, -4037), "EXDEV", "cross-device link not permitted"},
    {-4094, "UNKNOWN", "unknown error"},
    {-4095, "EOF", "end of file"},
    {IOCPNET_UV_NUMBER(ENXIO, -4033), "ENXIO", "no such device or address"},
    {IOCPNET_UV_NUMBER(EMLINK, -4032), "EMLINK", "too many links"},
    {IOCPNET_UV_NUMBER(EHOSTDOWN, -4031), "EHOSTDOWN", "host is down"},
    {IOCPNET_UV_NUMBER(EREMOTEIO, -4030), "EREMOTEIO", "remote I/O error"},
    {IOCPNET_UV_NUMBER(ENOTTY, -4029), "ENOTTY", "inappropriate ioctl for device"},
    {-4028, "EFTYPE", "inappropriate file type or format"},
    {IOCPNET_UV_NUMBER(EILSEQ, -4027), "EILSEQ", "illegal byte sequence"},
    {IOCPNET_UV_NUMBER(ESOCKTNOSUPPORT, -4025), "ESOCKTNOSUPPORT", "socket type not supported"},
    {IOCPNET_UV_NUMBER(ENODATA, -4024), "ENODATA", "no data available"},
    {IOCPNET_UV_NUMBER(EUNATCH, -4023), "EUNATCH", "protocol driver not attached"},
};

const ErrorInfo* Find(int uv_error) {
  for (const ErrorInfo& info : kErrors) {
    if (info.uv_error == uv_error) return &info;
  }
  return nullptr;
}

#ifdef _WIN32
// libuv's uv_translate_sys_error (src/win/error.c), case for case, as of
// libuv 1.46 (node 20; checked against its table): node.exe reports exactly
// these codes, so the engine must too. (Later libuv changed ERROR_NOACCESS,
// ERROR_NO_DATA and ERROR_BUFFER_OVERFLOW, and added ERROR_BAD_EXE_FORMAT.)
int TranslateWindowsError(int code) {
  switch (code) {
    case ERROR_NOACCESS:
    case WSAEACCES:
    case ERROR_ELEVATION_REQUIRED:
    case ERROR_CANT_ACCESS_FILE: return UV_EACCES;
    case ERROR_ADDRESS_ALREADY_ASSOCIATED:
    case WSAEADDRINUSE: return UV_EADDRINUSE;
    case WSAEADDRNOTAVAIL: return UV_EADDRNOTAVAIL;
    case WSAEAFNOSUPPORT: return UV_EAFNOSUPPORT;
    case WSAEWOULDBLOCK: return UV_EAGAIN;
    case WSAEALREADY: return UV_EALREADY;
    case ERROR_INVALID_FLAGS:
    case ERROR_INVALID_HANDLE: return UV_EBADF;
    case ERROR_LOCK_VIOLATION:
    case ERROR_PIPE_BUSY:
    case ERROR_SHARING_VIOLATION: return UV_EBUSY;
    case ERROR_OPERATION_ABORTED:
    case WSAEINTR: return UV_ECANCELED;
    case ERROR_NO_UNICODE_TRANSLATION: return -4080;  // ECHARSET
    case ERROR_CONNECTION_ABORTED:
    case WSAECONNABORTED: return UV_ECONNABORTED;
    case ERROR_CONNECTION_REFUSED:
    case WSAECONNREFUSED: return UV_ECONNREFUSED;
    case ERROR_NETNAME_DELETED:
    case WSAECONNRESET: return UV_ECONNRESET;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS: return -4075;  // EEXIST
    case ERROR_BUFFER_OVERFLOW:
    case WSAEFAULT: return -4074;  // EFAULT
    case ERROR_HOST_UNREACHABLE:
    case WSAEHOSTUNREACH: return -4073;  // EHOSTUNREACH
    case ERROR_INSUFFICIENT_BUFFER:
    case ERROR_INVALID_DATA:
    case ERROR_INVALID_PARAMETER:
    case ERROR_SYMLINK_NOT_SUPPORTED:
    case WSAEINVAL:
    case WSAEPFNOSUPPORT: return UV_EINVAL;
    case ERROR_BEGINNING_OF_MEDIA:
    case ERROR_BUS_RESET:
    case ERROR_CRC:
    case ERROR_DEVICE_DOOR_OPEN:
    case ERROR_DEVICE_REQUIRES_CLEANING:
    case ERROR_DISK_CORRUPT:
    case ERROR_EOM_OVERFLOW:
    case ERROR_FILEMARK_DETECTED:
    case ERROR_GEN_FAILURE:
    case ERROR_INVALID_BLOCK_LENGTH:
    case ERROR_IO_DEVICE:
    case ERROR_NO_DATA_DETECTED:
    case ERROR_NO_SIGNAL_SENT:
    case ERROR_OPEN_FAILED:
    case ERROR_SETMARK_DETECTED:
    case ERROR_SIGNAL_REFUSED: return -4070;  // EIO
    case WSAEISCONN: return -4069;  // EISCONN
    case ERROR_CANT_RESOLVE_FILENAME: return -4067;  // ELOOP
    case ERROR_TOO_MANY_OPEN_FILES:
    case WSAEMFILE: return UV_EMFILE;
    case WSAEMSGSIZE: return -4065;  // EMSGSIZE
    case ERROR_FILENAME_EXCED_RANGE: return UV_ENAMETOOLONG;
    case ERROR_NETWORK_UNREACHABLE:
    case WSAENETUNREACH: return -4062;  // ENETUNREACH
    case WSAENOBUFS: return UV_ENOBUFS;
    case ERROR_BAD_PATHNAME:
    case ERROR_DIRECTORY:
    case ERROR_ENVVAR_NOT_FOUND:
    case ERROR_FILE_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_INVALID_DRIVE:
    case ERROR_INVALID_REPARSE_DATA:
    case ERROR_MOD_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case WSAHOST_NOT_FOUND:
    case WSANO_DATA: return UV_ENOENT;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return UV_ENOMEM;
    case ERROR_CANNOT_MAKE:
    case ERROR_DISK_FULL:
    case ERROR_EA_TABLE_FULL:
    case ERROR_END_OF_MEDIA:
    case ERROR_HANDLE_DISK_FULL: return -4055;  // ENOSPC
    case ERROR_NOT_CONNECTED:
    case WSAENOTCONN: return UV_ENOTCONN;
    case ERROR_DIR_NOT_EMPTY: return -4051;  // ENOTEMPTY
    case WSAENOTSOCK: return UV_ENOTSOCK;
    case ERROR_NOT_SUPPORTED: return UV_ENOTSUP;
    case ERROR_BROKEN_PIPE: return UV_EOF;
    case ERROR_ACCESS_DENIED:  // EPERM, not EACCES (a pipe connect to a directory: node.exe says EPERM)
    case ERROR_PRIVILEGE_NOT_HELD: return UV_EPERM;
    case ERROR_BAD_PIPE:
    case ERROR_NO_DATA:
    case ERROR_PIPE_NOT_CONNECTED:
    case WSAESHUTDOWN: return UV_EPIPE;
    case WSAEPROTONOSUPPORT: return -4045;  // EPROTONOSUPPORT
    case ERROR_WRITE_PROTECT: return -4043;  // EROFS
    case ERROR_SEM_TIMEOUT:
    case WSAETIMEDOUT: return UV_ETIMEDOUT;
    case ERROR_NOT_SAME_DEVICE: return -4037;  // EXDEV
    case ERROR_INVALID_FUNCTION: return -4068;  // EISDIR
    case ERROR_META_EXPANSION_TOO_LONG: return -4093;  // E2BIG
    case WSAESOCKTNOSUPPORT: return -4025;  // ESOCKTNOSUPPORT
    default: return UV_UNKNOWN;
  }
}
#endif

}  // namespace

int UvErrorFromSystem(int system_error) {
  if (system_error <= 0) return system_error;  // 0, or a libuv number already
#ifdef _WIN32
  return TranslateWindowsError(system_error);
#else
  // libuv on Unix: UV_Exxx == -Exxx. EWOULDBLOCK == EAGAIN on Linux.
  return -system_error;
#endif
}

#ifdef _WIN32
int UvLastError() { return UvErrorFromSystem(static_cast<int>(GetLastError())); }
#else
int UvLastError() { return UvErrorFromSystem(errno); }
#endif

const char* UvErrorName(int uv_error) {
  const ErrorInfo* info = Find(uv_error);
  return info != nullptr ? info->name : "UNKNOWN";
}

const char* UvErrorMessage(int uv_error) {
  const ErrorInfo* info = Find(uv_error);
  return info != nullptr ? info->message : "unknown error";
}

}  // namespace iocpnet

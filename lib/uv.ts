// libuv error numbers by name, as this platform's node reports them
// (negative errno on Unix, libuv's own values on Windows).
import { getSystemErrorMap } from 'util';

const byName = new Map<string, number>();
for (const [errno, [name]] of getSystemErrorMap()) byName.set(name, errno);

function uvErrno(name: string): number {
  const errno = byName.get(name);
  if (errno === undefined) throw new Error(`unknown libuv error name ${name}`);
  return errno;
}

export const UV_EADDRINUSE = uvErrno('EADDRINUSE');
export const UV_EINVAL = uvErrno('EINVAL');
export const UV_ENOTCONN = uvErrno('ENOTCONN');
export const UV_ECANCELED = uvErrno('ECANCELED');
export const UV_ETIMEDOUT = uvErrno('ETIMEDOUT');
export const UV_EAFNOSUPPORT = uvErrno('EAFNOSUPPORT');
export const UV_EADDRNOTAVAIL = uvErrno('EADDRNOTAVAIL');
export const UV_ENOENT = uvErrno('ENOENT');
export const UV_EACCES = uvErrno('EACCES');
export const UV_EISCONN = uvErrno('EISCONN');
export const UV_EALREADY = uvErrno('EALREADY');
export const UV_ECONNREFUSED = uvErrno('ECONNREFUSED');
export const UV_ENOPROTOOPT = uvErrno('ENOPROTOOPT');
export const UV_EBADF = uvErrno('EBADF');
export const UV_ENOTSUP = uvErrno('ENOTSUP');
export const UV_EBUSY = uvErrno('EBUSY');

// Argument normalisation shared by Socket#connect, net.connect and Server#listen,
// with node's exact rules: (options[, cb]) | (path[, cb]) | ([port][, host][, cb]).
import { features } from './features';
import { UV_EINVAL } from './uv';

/** Marks an array produced by normalizeArgs so connect() does not normalise twice. */
export const normalizedArgsSymbol = Symbol('normalizedArgs');

export type NormalizedArgs = [Record<string | symbol, any>, ((...a: any[]) => void) | null] & {
  [normalizedArgsSymbol]?: true;
};

/** Number(x) when it is >= 0, otherwise false (node's toNumber). */
export function toNumber(x: unknown): number | false {
  const n = Number(x);
  return n >= 0 ? n : false;
}

export function isPipeName(s: unknown): s is string {
  return typeof s === 'string' && toNumber(s) === false;
}

export function normalizeArgs(args: unknown[]): NormalizedArgs {
  let arr: NormalizedArgs;
  if (args.length === 0) {
    arr = [{}, null];
    arr[normalizedArgsSymbol] = true;
    return arr;
  }
  const arg0 = args[0];
  let options: Record<string, any> = {};
  if (typeof arg0 === 'object' && arg0 !== null) {
    options = arg0 as Record<string, any>;
  } else if (isPipeName(arg0)) {
    options.path = arg0;
  } else {
    options.port = arg0;
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  const cb = args[args.length - 1];
  arr = [options, typeof cb === 'function' ? (cb as (...a: any[]) => void) : null];
  arr[normalizedArgsSymbol] = true;
  return arr;
}

/** The local port node's bind() really uses: ToInt32, then truncated to 16 bits by htons. */
export function bindPort(port: number | undefined): number | undefined {
  return port === undefined ? undefined : (port | 0) & 0xffff;
}

// libuv 1.46 (node 20) binds and connects abstract unix socket names with the
// whole sun_path, the name padded with NULs to 108 bytes; later libuv uses
// the name's own length. The kernel tells the two apart, so a name must be
// given the way the running node gives it to reach node's sockets.
const [uvMajor, uvMinor] = process.versions.uv.split('.').map(Number);
const padsAbstractNames = process.platform === 'linux' && uvMajor === 1 && uvMinor < 47;
const SUN_PATH_BYTES = 108;

/** The unix socket name the engine is given for `path` (an abstract name as node's libuv pads it). */
export function unixSocketName(path: string): string {
  if (!padsAbstractNames || path[0] !== '\0') return path;
  const bytes = Buffer.byteLength(path);
  return bytes < SUN_PATH_BYTES ? path + '\0'.repeat(SUN_PATH_BYTES - bytes) : path;
}

/**
 * UV_EINVAL where the running node refuses a unix socket name instead of
 * cutting it (a file name with a NUL byte from node 22, a name longer than
 * sun_path from node 24), else 0. Both listen and connect fail at once.
 */
export function pipeNameError(path: string): number {
  // Windows has no abstract names: libuv refuses a pipe name that starts
  // with a NUL at once on every node (node 20's then reads the rest of a
  // name up to its first NUL: native/socket_address.cc FromPath).
  if (process.platform === 'win32' && path[0] === '\0') return UV_EINVAL;
  // (An abstract name starts with NUL and may hold more; a file name may not.)
  if (features.pipeNameWithNulIsError && path.indexOf('\0') > 0) return UV_EINVAL;
  return features.pipeNameTooLongIsError && Buffer.byteLength(path) > SUN_PATH_BYTES ? UV_EINVAL : 0;
}

/** The file a unix socket bound to `path` is: its first 108 bytes, up to a NUL. */
export function unixSocketFile(path: string): Buffer {
  const name = Buffer.from(path).subarray(0, SUN_PATH_BYTES);
  const nul = name.indexOf(0);
  return nul === -1 ? name : name.subarray(0, nul);
}

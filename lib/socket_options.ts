// Socket options newer nodes added (present where the running node has them,
// lib/features.ts), and iocp-net's own TCP_USER_TIMEOUT option:
// - setKeepAlive(enable, initialDelay, interval, count) and
//   setKeepAlive({ enable, initialDelay, interval, count }) (node 24.19);
// - the typeOfService constructor option, setTypeOfService(tos) and
//   getTypeOfService() (node 24.15);
// - blockList on the constructor / connect() options (node 22.13);
// - userTimeout (ours): TCP_USER_TIMEOUT in ms, applied once connected.
// State lives in symbol slots whose defaults are on Socket.prototype.
import { getEngine } from './engine';
import { codes, ErrnoException } from './errors';
import { isUint32, validateInt32 } from './validate';
import { features } from './features';
import { isBlockList } from './blocklist';
import { UV_EBADF } from './uv';
import { kHandle, kHasHandle, kSetKeepAlive, kSetKeepAliveInitialDelay } from './symbols';
import type { Socket } from './socket';

const { ERR_INVALID_ARG_TYPE } = codes;

export const kSetKeepAliveInterval = Symbol('kSetKeepAliveInterval');
export const kSetKeepAliveCount = Symbol('kSetKeepAliveCount');
export const kSetTOS = Symbol('kSetTOS');
export const kUserTimeout = Symbol('kUserTimeout');

/** The constructor's options, in node's order after keepAliveInitialDelay (typeOfService). */
export function readTypeOfServiceOption(self: Socket, o: any): void {
  if (!features.typeOfService) return;
  if (o.typeOfService !== undefined) validateInt32(o.typeOfService, 'options.typeOfService', 0, 255);
  if (o.typeOfService !== undefined) (self as any)[kSetTOS] = o.typeOfService;
}

/** The constructor's last option in node 22.13 (blockList); and ours (userTimeout), read from the copy. */
export function readLateOptions(self: Socket, o: any): void {
  if (features.blockList && o.blockList) {
    if (!isBlockList(o.blockList)) throw new ERR_INVALID_ARG_TYPE('options.blockList', 'net.BlockList', o.blockList);
    (self as any).blockList = o.blockList;
  }
  if (o.userTimeout !== undefined) {
    validateInt32(o.userTimeout, 'options.userTimeout', 0);
    (self as any)[kUserTimeout] = o.userTimeout;
  }
}

/** True when the socket's blockList (node 22.13) blocks `address`. */
export function isBlocked(self: Socket, address: string, addressType: number): boolean {
  const list = (self as any).blockList;
  return list !== undefined && list !== null && list.check(address, `ipv${addressType}`);
}

/** Uint32 values are passed on; the binding uses 1 (interval) and 10 (count) for anything else, as node 24's does. */
function uint32OrDefault(value: unknown): number | undefined {
  return isUint32(value) ? value : undefined;
}

/** Applied once connected (node's afterConnect): keepalive, type of service, and our user timeout. */
export function applyConnectOptions(self: Socket, handle: number): void {
  const engine = getEngine();
  const s = self as any;
  if (s[kSetKeepAlive]) {
    engine.setKeepAlive(handle, true, s[kSetKeepAliveInitialDelay], uint32OrDefault(s[kSetKeepAliveInterval]),
      uint32OrDefault(s[kSetKeepAliveCount]));
  }
  if (s[kSetTOS] !== undefined) {
    const err = engine.setTypeOfService(handle, s[kSetTOS]);
    if (err && err !== UV_EBADF) self.emit('error', new ErrnoException(err, 'setTypeOfService'));
  }
  if (s[kUserTimeout] !== undefined) engine.setUserTimeout(handle, s[kUserTimeout]);
}

/** node 24.19's setKeepAlive(enable | { enable, initialDelay, interval, count }, initialDelayMsecs, intervalMsecs, count). */
export function setKeepAlive(self: Socket, enable: any, initialDelayMsecs?: number, intervalMsecs?: number, count?: number): Socket {
  const s = self as any;
  const extended = features.keepAliveInterval;
  if (extended && enable !== null && typeof enable === 'object') {
    const options = enable;
    enable = options.enable;
    initialDelayMsecs = options.initialDelay;
    intervalMsecs = options.interval;
    count = options.count;
  }
  const on = Boolean(enable);
  const initialDelay = ~~((initialDelayMsecs as number) / 1000);
  const interval = extended && intervalMsecs !== undefined ? ~~(intervalMsecs / 1000) : undefined;
  if (!extended) count = undefined;
  if (!s[kHandle] || s.connecting) {
    s[kSetKeepAlive] = on;
    s[kSetKeepAliveInitialDelay] = initialDelay;
    if (extended) {
      s[kSetKeepAliveInterval] = interval;
      s[kSetKeepAliveCount] = count;
    }
    return self;
  }
  if (on !== s[kSetKeepAlive] ||
      (on && (s[kSetKeepAliveInitialDelay] !== initialDelay || s[kSetKeepAliveInterval] !== interval ||
              s[kSetKeepAliveCount] !== count))) {
    s[kSetKeepAlive] = on;
    s[kSetKeepAliveInitialDelay] = initialDelay;
    if (extended) {
      s[kSetKeepAliveInterval] = interval;
      s[kSetKeepAliveCount] = count;
    }
    getEngine().setKeepAlive(s[kHandle], on, initialDelay, uint32OrDefault(interval), uint32OrDefault(count));
  }
  return self;
}

function setTypeOfService(this: Socket, tos: number): Socket {
  const s = this as any;
  if (Number.isNaN(tos)) throw new ERR_INVALID_ARG_TYPE('tos', 'number', tos);
  validateInt32(tos, 'tos', 0, 255);
  // node: no handle yet (never connected, or destroyed): kept for the connect.
  if (!s[kHasHandle]) {
    s[kSetTOS] = tos;
    return this;
  }
  if (tos !== s[kSetTOS]) {
    s[kSetTOS] = tos;
    // connect() made node's handle, but its socket exists only once the
    // attempt starts: until then, EBADF.
    const err = s[kHandle] ? getEngine().setTypeOfService(s[kHandle], tos) : UV_EBADF;
    if (err) throw new ErrnoException(err, 'setTypeOfService');
  }
  return this;
}

function getTypeOfService(this: Socket): number {
  const s = this as any;
  if (!s[kHasHandle]) return s[kSetTOS] !== undefined ? s[kSetTOS] : 0;
  const res = s[kHandle] ? getEngine().getTypeOfService(s[kHandle]) : UV_EBADF;
  if (res < 0) throw new ErrnoException(res, 'getTypeOfService');
  return res;
}

/** Slot defaults, and the methods the running node has. */
export function installSocketOptions(proto: any): void {
  proto[kSetKeepAliveInterval] = undefined;
  proto[kSetKeepAliveCount] = undefined;
  proto[kSetTOS] = undefined;
  proto[kUserTimeout] = undefined;
  if (features.typeOfService) {
    Object.defineProperty(proto, 'setTypeOfService', { value: setTypeOfService, writable: true, configurable: true });
    Object.defineProperty(proto, 'getTypeOfService', { value: getTypeOfService, writable: true, configurable: true });
  }
}

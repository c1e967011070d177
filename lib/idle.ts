// The server idle reaper (iocp-net's own; node has none): createServer({
// idleTimeout }) closes connections on which nothing was received or sent for
// that many milliseconds. The engine keeps the connections in per-timeout
// lists in activity order with one timer for the earliest (native
// core/idle_lists.h, rule 13), so idle connections cost no JS timer; set on
// the listening handle, the timeout is inherited by every connection it
// accepts. What a user sees when a connection is reaped: 'timeout' on the
// socket (node's inactivity event, so existing logging works), then the
// socket is destroyed without an error ('close' with hadError false), as an
// http server does with server.timeout. No 'error': a reaped connection has
// not failed, and an 'error' would crash servers that do not listen for one.
//
// userTimeout (on createServer and on Socket/connect options) is
// TCP_USER_TIMEOUT: how long sent data may stay unacknowledged before the
// kernel drops the connection (ETIMEDOUT).
import { getEngine } from './engine';
import { validateInt32 } from './validate';
import type { Socket } from './socket';

export const kIdleTimeout = Symbol('kIdleTimeout');
export const kServerUserTimeout = Symbol('kServerUserTimeout');

/** Reads createServer's idleTimeout and userTimeout options (from the constructor's own copy of them). */
export function readServerTimeouts(server: any, options: any): void {
  if (options.idleTimeout !== undefined) {
    validateInt32(options.idleTimeout, 'options.idleTimeout', 0);
    server[kIdleTimeout] = options.idleTimeout;
  }
  if (options.userTimeout !== undefined) {
    validateInt32(options.userTimeout, 'options.userTimeout', 0);
    server[kServerUserTimeout] = options.userTimeout;
  }
}

/** Once listening: the listener's connections inherit the idle timeout. */
export function applyListenerTimeouts(server: any, listenHandle: number): void {
  if (server[kIdleTimeout]) getEngine().setIdleTimeout(listenHandle, server[kIdleTimeout]);
}

/** For each accepted connection. */
export function applyAcceptedTimeouts(server: any, peer: number): void {
  if (server[kServerUserTimeout] !== undefined) getEngine().setUserTimeout(peer, server[kServerUserTimeout]);
}

/** The engine's onIdle for a connection: 'timeout', then destroy(). */
export function reapIdle(socket: Socket): void {
  if (socket.destroyed) return;
  socket.emit('timeout');
  if (!socket.destroyed) socket.destroy();
}

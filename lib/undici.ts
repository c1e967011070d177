// An undici `connect` function over iocp-net, for undici's dispatchers and so
// for `fetch`: node's built-in fetch uses its own copy of undici, whose
// connections the register hook cannot reach, but it uses the global
// dispatcher, which can be given this connector.
//
//   const { setGlobalDispatcher, Agent } = require('undici');
//   const { connector } = require('iocp-net/undici');
//   setGlobalDispatcher(new Agent({ connect: connector() }));
//
// What it does follows undici's own connector (lib/core/connect.js): no
// Nagle, TCP keep-alive, a connect timeout, TLS with ALPN and a session cache.
import * as tls from 'tls';
import { createConnection, isIP } from './net';
import type { Socket } from './socket';

/** What undici passes to a `connect` function (undici's buildConnector.Options). */
export interface ConnectorTarget {
  hostname: string;
  host?: string;
  protocol: string;
  port: string;
  servername?: string;
  localAddress?: string | null;
  /** A connection to upgrade to TLS (undici's proxy tunnels). */
  httpSocket?: Socket;
}

export type ConnectorCallback = (err: Error | null, socket: Socket | tls.TLSSocket | null) => void;

export interface ConnectorOptions {
  /** ms to wait for the connection (and the TLS handshake); 0 for none. Default 10000, as undici. */
  timeout?: number;
  /** TCP keep-alive on the connections (default true, initial delay 60 s, as undici). */
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** TLS sessions kept for resumption, per server name (default 100, as undici; 0 turns it off). */
  maxCachedSessions?: number;
  /** Offer HTTP/2 by ALPN (as undici's allowH2). */
  allowH2?: boolean;
  /** Options for tls.connect (ca, cert, key, rejectUnauthorized...). */
  tls?: tls.ConnectionOptions;
}

/** An error undici reports as its own connect timeout (same code as undici's ConnectTimeoutError). */
class ConnectTimeoutError extends Error {
  readonly code = 'UND_ERR_CONNECT_TIMEOUT';
  constructor(ms: number) {
    super(`Connect Timeout Error (timeout: ${ms}ms)`);
    this.name = 'ConnectTimeoutError';
  }
}

export function connector(options: ConnectorOptions = {}): (target: ConnectorTarget, callback: ConnectorCallback) => Socket | tls.TLSSocket {
  const { timeout = 10_000, keepAlive = true, keepAliveInitialDelay = 60_000, maxCachedSessions = 100, allowH2 = false } = options;
  const sessions = new Map<string, Buffer>();

  return function connect({ hostname, protocol, port, servername, localAddress, httpSocket }, callback) {
    const secure = protocol === 'https:';
    const portNumber = Number(port) || (secure ? 443 : 80);
    let socket: Socket | tls.TLSSocket;
    if (secure) {
      const name = servername || (isIP(hostname) ? '' : hostname);
      const sessionKey = name || hostname;
      const session = maxCachedSessions > 0 ? sessions.get(sessionKey) : undefined;
      // allowHalfOpen: TLS decides when to end, not the raw socket.
      const raw = httpSocket ?? createConnection({ host: hostname, port: portNumber, localAddress: localAddress ?? undefined, allowHalfOpen: true });
      socket = tls.connect({
        ...options.tls, socket: raw, servername: name || undefined, session,
        ALPNProtocols: allowH2 ? ['http/1.1', 'h2'] : ['http/1.1'],
      });
      if (maxCachedSessions > 0) {
        socket.on('session', (s: Buffer) => {
          sessions.delete(sessionKey);
          sessions.set(sessionKey, s);
          if (sessions.size > maxCachedSessions) sessions.delete(sessions.keys().next().value!);
        });
      }
    } else {
      if (httpSocket) throw new TypeError('httpSocket can only be given for https: (a TLS upgrade)');
      socket = createConnection({ host: hostname, port: portNumber, localAddress: localAddress ?? undefined });
    }
    if (keepAlive) socket.setKeepAlive(true, keepAliveInitialDelay);

    let pending: ConnectorCallback | null = callback;
    const settle = (err: Error | null) => {
      clearTimeout(timer);
      if (!pending) return;
      const cb = pending;
      pending = null;
      cb(err, err ? null : socket);
    };
    const timer = timeout > 0 ? setTimeout(() => {
      const err = new ConnectTimeoutError(timeout);
      socket.destroy(err);
      settle(err);
    }, timeout) : undefined;
    socket.setNoDelay(true)
      .once(secure ? 'secureConnect' : 'connect', () => settle(null))
      .on('error', (err: Error) => settle(err));
    return socket;
  };
}

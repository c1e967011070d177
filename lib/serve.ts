// Serve an existing node server (http.Server, https.Server, http2's servers,
// tls.Server) from an iocp-net listener: node's http, https, http2 and tls
// keep node:net internally, so their servers would otherwise listen on it.
//
//   const { serve } = require('iocp-net/serve');
//   serve(http.createServer(app)).listen(3000);
//   // fastify({ serverFactory: (handler) => serve(http.createServer(handler)) })
//
// serve() replaces the server's listen() with one that listens on an
// iocp-net Server and hands every accepted socket to the node server. The
// node server then keeps its own logic for the rest: node's net.Server code
// reads its listen state from `_handle` and counts its connections in
// `_connections`, so serve() keeps both up to date (`_handle` is a stand-in
// for the listener). So `listening`, address(), close() (stop accepting,
// 'close' once every connection is gone), getConnections(), ref/unref, and
// http's connection tracking (started by its 'listening' event: headers and
// request timeouts, closeIdleConnections, closeAllConnections) work as if
// the server listened itself.
import * as tls from 'tls';
import type * as nodeNet from 'net';
import { createServer } from './net';
import type { Server } from './server';
import type { Socket } from './socket';

/** The parts of node's net.Server that its own listen() would set. */
interface NodeServerInternals {
  _handle: ListenerHandle | null;
  _connections: number;
  _pipeName?: string;
  _unref?: boolean;
  _emitCloseIfDrained(): void;
  maxConnections?: number;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
}

/** Stands in for the TCP (or pipe) handle of a server that listens itself. */
class ListenerHandle {
  constructor(private readonly listener: Server) {}

  close(): void {
    this.listener.close();
  }

  ref(): void {
    this.listener.ref();
  }

  unref(): void {
    this.listener.unref();
  }
}

/** A TCP listener's handle also answers getsockname (a pipe's does not: node reads `_pipeName`). */
class TcpListenerHandle extends ListenerHandle {
  constructor(listener: Server, private readonly address: nodeNet.AddressInfo) {
    super(listener);
  }

  getsockname(out: object): number {
    Object.assign(out, this.address);
    return 0;
  }
}

/** Makes `server.listen()` listen on iocp-net and feed `server` (see above); returns `server`. */
export function serve<S extends nodeNet.Server>(server: S): S {
  const node = server as unknown as NodeServerInternals;
  const listener = createServer({
    // Over our sockets TLS (https, http2, tls) runs as a stream on top of
    // the socket, and must decide itself when to end it (see the README).
    allowHalfOpen: server instanceof tls.Server ? true : Boolean(node.allowHalfOpen),
    pauseOnConnect: node.pauseOnConnect,
    noDelay: node.noDelay,
    keepAlive: node.keepAlive,
    keepAliveInitialDelay: node.keepAliveInitialDelay,
    highWaterMark: node.highWaterMark,
  } as nodeNet.ServerOpts, (socket: Socket) => {
    node._connections++;
    socket.once('close', () => {
      node._connections--;
      node._emitCloseIfDrained();
    });
    server.emit('connection', socket);
  });

  // maxConnections, set before or after serve(), is the listener's: it
  // refuses connections over the limit and emits 'drop' as node's does.
  listener.maxConnections = node.maxConnections as number;
  Object.defineProperty(server, 'maxConnections', {
    configurable: true, enumerable: true,
    get: () => listener.maxConnections,
    set: (value: number) => { listener.maxConnections = value; },
  });
  listener.on('drop', (data) => server.emit('drop', data));
  listener.on('error', (err) => server.emit('error', err));
  listener.on('listening', () => {
    const address = listener.address();
    if (typeof address === 'string') {
      node._pipeName = address;
      node._handle = new ListenerHandle(listener);
    } else {
      node._handle = new TcpListenerHandle(listener, address!);
    }
    if (node._unref) listener.unref();
    server.emit('listening');
  });

  Object.defineProperty(server, 'listen', {
    configurable: true, writable: true,
    value: function listen(...args: unknown[]): S {
      // As node's listen(): the callback listens for 'listening' on the server.
      if (typeof args[args.length - 1] === 'function') server.once('listening', args.pop() as () => void);
      (listener.listen as (...a: unknown[]) => Server)(...args);
      return server;
    },
  });
  return server;
}

// A cluster worker's listen(), as node:net does it (lib/net.js
// listenInCluster): the worker asks the primary through node's own cluster
// machinery (cluster._getServer), and what comes back is node's:
//
// - round-robin (the default): a stand-in handle whose onconnection(err,
//   handle) the worker's cluster module calls with each connection the
//   primary accepted, as a node TCP (or Pipe) handle. Each becomes an engine
//   handle of its own (a dup of its descriptor) and node's is closed.
// - SCHED_NONE: the primary's bound socket, as a node handle. The engine
//   listens on a dup of its descriptor; node's handle stays open (it does
//   not poll) until server.close(), whose close() tells the primary.
//
// The primary side is node's (its cluster module listens with node:net).
// Both stand-ins get node's owner symbol pointing at the server, so the
// worker's cluster module finds the server as node's does: maxConnections
// is checked before a connection is taken, and worker.disconnect() closes
// the server with server.close(cb).
import { getEngine } from './engine';
import { UV_EADDRINUSE, UV_ENOTSUP } from './uv';

const debug = require('node:util').debuglog('iocp-net') as (message: string) => void;

/** What cluster hands a worker: node's handle of a connection or of a listening socket (fd), or the round-robin stand-in. */
export interface ClusterHandle {
  fd?: number;
  close(cb?: () => void): void;
  listen?(backlog: number): number;
  ref?(): void;
  unref?(): void;
  getsockname?(out: object): number;
  onconnection?: (err: number, handle: ClusterHandle | undefined) => void;
  [key: symbol]: unknown;
}

let ownerSymbol: symbol | undefined;

/**
 * node's internal owner_symbol (lib/internal/async_hooks), which its cluster
 * module reads on a server's handle. It is not exported; node sets it on the
 * native handle of every zlib stream, the cheapest object that has one.
 */
export function nodeOwnerSymbol(): symbol {
  if (ownerSymbol === undefined) {
    const stream = (require('zlib') as typeof import('zlib')).createDeflateRaw();
    const handle = (stream as unknown as { _handle?: object })._handle;
    ownerSymbol = handle && Object.getOwnPropertySymbols(handle).find((s) => s.description === 'owner_symbol');
    stream.close();
    // Should node ever stop setting it there: a symbol of our own (maxConnections
    // is still checked by our onconnection; a disconnect then closes the handle only).
    ownerSymbol ??= Symbol('owner_symbol');
  }
  return ownerSymbol;
}

/**
 * True in a cluster worker process. node loads its cluster module at startup
 * in a worker (and removes NODE_UNIQUE_ID, which told it so); elsewhere it
 * is not loaded, and loading it would load node:net too (the primary's
 * round-robin handles use it), so it is only required once node has.
 */
function inClusterWorker(): boolean {
  const loaded = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  if (Array.isArray(loaded) && !loaded.includes('NativeModule cluster')) return false;
  return !(require('cluster') as { isPrimary: boolean }).isPrimary;
}

/** The part of Server listenInCluster needs. */
export interface ClusterServer {
  _listeningId: number;
  _listen2(address: string | null, port: number | null, addressType: number | null,
           backlog?: number | false, fd?: number, flags?: number): void;
  emit(event: string, ...args: unknown[]): boolean;
}

/** node's checkBindError: EADDRINUSE may show only as a bind to another port than asked. */
function checkBindError(err: number, port: number | null, handle: ClusterHandle | null): number {
  if (err === 0 && port !== null && port > 0 && handle?.getsockname) {
    const out: { port?: number } = {};
    err = handle.getsockname(out);
    if (err === 0 && port !== out.port) err = UV_EADDRINUSE;
  }
  return err;
}

/**
 * node's listenInCluster: the primary (or an exclusive listen) binds here;
 * a worker asks the primary, then `adopt` (the server's) takes what it sent
 * and _listen2 goes on as node's does with a handle already there.
 */
export function listenInCluster(server: ClusterServer, address: string | null, port: number | null,
                                addressType: number | null, backlog: number | false | undefined, fd: number | undefined,
                                exclusive: unknown, flags: number, extra: object | undefined,
                                adopt: (handle: ClusterHandle) => void, bindError: (err: number, syscall?: string) => Error): void {
  if (!!exclusive || !inClusterWorker()) {
    server._listen2(address, port, addressType, backlog, fd, flags);
    return;
  }
  if (process.platform === 'win32') {
    // What the primary would send cannot be taken on Windows: node's handles
    // there have no descriptor (handle.fd is -1) and the engine cannot take
    // a SOCKET node's libuv owns (a socket belongs to one completion port
    // for good). So a worker's listen() through the primary fails, at once
    // and clearly, instead of serving nothing: 'error' with ENOTSUP (syscall
    // 'listen'). A worker's own listener (exclusive: true) works.
    process.nextTick(() => server.emit('error', bindError(UV_ENOTSUP, 'listen')));
    return;
  }
  const cluster = require('cluster') as any;
  const serverQuery = { address, port, addressType, fd, flags, backlog, ...extra };
  const listeningId = server._listeningId;
  cluster._getServer(server, serverQuery, (err: number, handle: ClusterHandle | null) => {
    if (listeningId !== server._listeningId) {
      handle?.close();
      return;
    }
    err = checkBindError(err, port, handle);
    if (err) {
      server.emit('error', bindError(err));
      return;
    }
    adopt(handle!);
    server._listen2(address, port, addressType, backlog, fd, flags);
  });
}

/**
 * A connection node's cluster module delivers (round-robin): an engine
 * handle on a copy of its descriptor, node's handle closed. 0 when it
 * cannot be taken (the peer already gone: nothing to serve).
 */
export function adoptClusterConnection(handle: ClusterHandle): number {
  const fd = handle.fd;
  const peer = typeof fd === 'number' && fd >= 0 ? getEngine().openFd(fd, true) : -1;
  handle.close();
  if (peer < 0) {
    debug(`cluster connection not taken: ${peer}`);
    return 0;
  }
  return peer;
}

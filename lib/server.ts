// net.Server on the completion engine: listen() binds synchronously through
// the engine, accepted handles become Sockets. Behaviour follows node v20's
// lib/net.js (listen argument forms, error shapes, event timing).
import { EventEmitter } from 'events';
import { AsyncResource } from 'async_hooks';
import * as dc from 'diagnostics_channel';
import type * as dnsModule from 'dns';
import * as fs from 'fs';
import { promisify } from 'util';
import type * as nodeNet from 'net';
import { getDefaultHighWaterMark } from 'stream';
import { getEngine, CloseMode } from './engine';
import type { AddressInfo, HandleOwner } from './engine';
import { codes, ErrnoException, ExceptionWithHostPort, UVExceptionWithHostPort } from './errors';
import { addAbortListener, symbolDispose, validateAbortSignal, validateNumber, validatePort } from './validate';
import { normalizeArgs, toNumber, isPipeName, pipeNameError, unixSocketFile, unixSocketName } from './args';
import { UV_EINVAL, UV_EAFNOSUPPORT, UV_EADDRNOTAVAIL, UV_ENOENT, UV_EACCES, UV_ENOTSUP } from './uv';
import { Socket, acceptedSocketOptions, guessHandleType, isUnixSocketHandle } from './socket';
import { listenInCluster, adoptClusterConnection, nodeOwnerSymbol } from './cluster';
import type { ClusterHandle } from './cluster';
import { isIP, zoneAsNodeReadsIt } from './ip';
import { boundSocketOf } from './bound_socket';
import { isBlockList } from './blocklist';
import { applyAcceptedTimeouts, applyListenerTimeouts, readServerTimeouts } from './idle';
import { features } from './features';
import { kAcceptedHandle, kAcceptedResource, kAsyncResource, kIsPipe, kSetNoDelay, kSetKeepAlive, kSetKeepAliveInitialDelay } from './symbols';

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_SERVER_ALREADY_LISTEN, ERR_SERVER_NOT_RUNNING } = codes;

const DEFAULT_IPV4_ADDR = '0.0.0.0';
const DEFAULT_IPV6_ADDR = '::';

const netServerSocketChannel = dc.channel('net.server.socket');
const netServerListen = (dc as any).tracingChannel('net.server.listen');

const kListenHandle = Symbol('kListenHandle');
/** Listening handles on abstract unix names closed but not yet reported closed by the engine. */
const kClosingHandles = Symbol('kClosingHandles');
/** 'close' events due (one per drained _emitCloseIfDrained call) but held until the abstract name is free. */
const kHeldCloses = Symbol('kHeldCloses');
/** In a cluster worker: what the primary sent (node's handle, or its round-robin stand-in; lib/cluster.ts). */
const kClusterHandle = Symbol('kClusterHandle');
/** The unix socket file this server bound, removed at close (not one it adopted). */
const kBoundPath = Symbol('kBoundPath');
/** The engine listener was made from a descriptor (listen({ fd }), a cluster primary's socket). */
const kAdopted = Symbol('kAdopted');
/** createServer({ reusePort: true }): its TCP listeners set SO_REUSEPORT. */
const kReusePort = Symbol('kReusePort');

/** node's `!!server._handle`: an engine listener, or a cluster worker's handle from the primary. */
function isListening(self: Server): boolean {
  return self[kListenHandle] !== 0 || self[kClusterHandle] !== null;
}

function emitErrorNT(self: Server, err: Error): void {
  self.emit('error', err);
}
function emitListeningNT(self: Server): void {
  if (isListening(self)) self.emit('listening');
}
function emitCloseNT(self: Server): void {
  self.emit('close');
}

function addServerAbortSignalOption(self: Server, options: any): void {
  if (options?.signal === undefined) return;
  validateAbortSignal(options.signal, 'options.signal');
  const signal: AbortSignal = options.signal;
  const onAborted = () => { self.close(); };
  if (signal.aborted) {
    process.nextTick(onAborted);
  } else {
    const disposable = addAbortListener(signal, onAborted);
    self.once('close', disposable[symbolDispose]);
  }
}

/** Receives accept completions of a listening handle. */
class ServerHandleOwner implements HandleOwner {
  constructor(readonly server: Server, readonly handle: number) {}
  onConnection(status: number, peer: number): void {
    const server = this.server;
    if (server[kListenHandle] !== this.handle) {
      if (peer > 0) getEngine().close(peer, CloseMode.Abort);
      return;
    }
    // node creates the accepted handle (and its async resource) before calling
    // into JS: its events do not inherit the server's async context.
    const resource = peer > 0 ? new AsyncResource('TCPWRAP') : null;
    server[kAsyncResource]!.runInAsyncScope(onconnection, null, server, status, peer, resource);
  }
  onClose(): void {
    // An abstract unix name is free only now: 'close' waits for it (node closes its fd synchronously).
    const server = this.server;
    const closing = server[kClosingHandles];
    if (closing === null || !closing.delete(this.handle) || closing.size !== 0) return;
    const held = server[kHeldCloses];
    server[kHeldCloses] = null;
    // Each 'close' follows in the context it became due in (close() or a
    // connection's end), as in node.
    for (const scope of held ?? []) scope.runInAsyncScope(() => process.nextTick(emitCloseNT, server));
  }
}

/** Owner of an accepted handle dropped because of maxConnections. */
const droppedOwner: HandleOwner = { onClose() {} };

function onconnection(self: Server, status: number, peer: number, resource: AsyncResource | null): void {
  const engine = getEngine();
  if (status < 0) {
    self.emit('error', new ErrnoException(status, 'accept'));
    return;
  }
  // (node 21: maxConnections = 0 drops every connection.)
  if ((features.maxConnectionsZeroDrops ? self.maxConnections != null : self.maxConnections) &&
      self._connections >= self.maxConnections) {
    engine.setOwner(peer, droppedOwner);
    if (self[kIsPipe]) {
      // node's Pipe handles have no address getters: 'drop' carries no data.
      self.emit('drop');
      engine.close(peer, CloseMode.Abort);
      return;
    }
    const local: Partial<AddressInfo> = {};
    const remote: Partial<AddressInfo> = {};
    engine.sockname(peer, local);
    engine.peername(peer, remote);
    const data: any = { __proto__: null };
    data.localAddress = local.address;
    data.localPort = local.port;
    data.localFamily = local.family;
    data.remoteAddress = remote.address;
    data.remotePort = remote.port;
    data.remoteFamily = remote.family;
    self.emit('drop', data);
    engine.close(peer, CloseMode.Abort);
    return;
  }
  if (self.blockList && !self[kIsPipe]) {
    // node 22.13: a blocked peer's connection is closed, with no event.
    const remote: Partial<AddressInfo> = {};
    engine.peername(peer, remote);
    const addressType = isIP(remote.address ?? '');
    if (addressType && self.blockList.check(remote.address!, `ipv${addressType}`)) {
      engine.setOwner(peer, droppedOwner);
      engine.close(peer, CloseMode.Abort);
      return;
    }
  }
  applyAcceptedTimeouts(self, peer);
  const socket = new Socket(acceptedSocketOptions({
    [kAcceptedHandle]: peer,
    [kAcceptedResource]: resource,
    [kIsPipe]: self[kIsPipe],
    allowHalfOpen: self.allowHalfOpen,
    pauseOnCreate: self.pauseOnConnect,
    readable: true,
    writable: true,
    readableHighWaterMark: self.highWaterMark,
    writableHighWaterMark: self.highWaterMark,
  }));
  if (self.noDelay) {
    socket[kSetNoDelay] = true;
    engine.setNoDelay(peer, true);
  }
  if (self.keepAlive) {
    socket[kSetKeepAlive] = true;
    socket[kSetKeepAliveInitialDelay] = self.keepAliveInitialDelay;
    engine.setKeepAlive(peer, true, self.keepAliveInitialDelay);
  }
  self._connections++;
  socket.server = self;
  socket._server = self;
  self.emit('connection', socket);
  if (netServerSocketChannel.hasSubscribers) netServerSocketChannel.publish({ socket });
}

/** libuv removes a bound unix socket's file when the pipe closes (not abstract names). */
function unlinkPipe(path: string): void {
  if (path[0] === '\0' || process.platform === 'win32') return;
  try {
    fs.unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Chmod of a listening unix socket, what uv_pipe_chmod does for readableAll/writableAll. */
function chmodPipe(path: string, readableAll: boolean, writableAll: boolean): void {
  // The socket's own name (libuv asks getsockname): a long path was cut.
  const file = unixSocketFile(path);
  // (libuv 1.47 and later set exactly these bits; 1.46 adds them to the file's mode.)
  let mode = features.pipeChmodExact ? 0 : fs.statSync(file).mode;
  if (readableAll) mode |= 0o444;
  if (writableAll) mode |= 0o222;
  fs.chmodSync(file, mode & 0o7777);
}

export interface ServerOpts extends nodeNet.ServerOpts {
  highWaterMark?: number;
  /** iocp-net: every TCP listen() of this server sets SO_REUSEPORT (node 22.12's listen({ reusePort }), on every node). */
  reusePort?: boolean;
  /** node 22.13: connections from addresses this list blocks are closed at once. */
  blockList?: nodeNet.BlockList;
  /** iocp-net: close connections on which nothing was received or sent for this many ms ('timeout', then destroy). */
  idleTimeout?: number;
  /** iocp-net: TCP_USER_TIMEOUT (ms) of every accepted connection. */
  userTimeout?: number;
}

/**
 * Everything the Server constructor does after EventEmitter's. A function of
 * its own so `net.Server.call(this, ...)` (pre-class inheritance) works too.
 */
export function initServer(self: Server, options?: any, connectionListener?: any): void {
  if (typeof options === 'function') {
    connectionListener = options;
    options = {};
    self.on('connection', connectionListener);
  } else if (options == null || typeof options === 'object') {
    options = { ...options };
    if (typeof connectionListener === 'function') self.on('connection', connectionListener);
  } else {
    throw new ERR_INVALID_ARG_TYPE('options', 'Object', options);
  }
  if (typeof options.keepAliveInitialDelay !== 'undefined') {
    validateNumber(options.keepAliveInitialDelay, 'options.keepAliveInitialDelay');
    if (options.keepAliveInitialDelay < 0) options.keepAliveInitialDelay = 0;
  }
  if (typeof options.highWaterMark !== 'undefined') {
    validateNumber(options.highWaterMark, 'options.highWaterMark');
    if (options.highWaterMark < 0) options.highWaterMark = getDefaultHighWaterMark(false);
  }
  self._connections = 0;
  self._handle = null;
  self._usingWorkers = false;
  self._workers = [];
  self._unref = false;
  self._listeningId = 1;
  self[kListenHandle] = 0;
  self[kClusterHandle] = null;
  self[kBoundPath] = null;
  self[kAdopted] = false;
  self[kClosingHandles] = null; // made by the first close() of a listening handle
  self[kHeldCloses] = null;
  self[kIsPipe] = false;
  self[kAsyncResource] = null;
  self.allowHalfOpen = options.allowHalfOpen || false;
  self.pauseOnConnect = !!options.pauseOnConnect;
  self.noDelay = Boolean(options.noDelay);
  self.keepAlive = Boolean(options.keepAlive);
  self.keepAliveInitialDelay = ~~(options.keepAliveInitialDelay / 1000);
  self.highWaterMark = options.highWaterMark ?? getDefaultHighWaterMark(false);
  if (features.blockList && options.blockList) {
    if (!isBlockList(options.blockList)) throw new ERR_INVALID_ARG_TYPE('options.blockList', 'net.BlockList', options.blockList);
    self.blockList = options.blockList;
  }
  readServerTimeouts(self, options);
  // iocp-net's, on every node (node 22.12 has it on listen()): read from the
  // copy made above, so the caller's object is read as node reads it.
  self[kReusePort] = options.reusePort === true;
}

/** `net.Server.call(this, options, listener)` on an object that inherits Server.prototype. */
export function initLegacyServer(self: Server, options?: any, connectionListener?: any): void {
  EventEmitter.call(self as any);
  initServer(self, options, connectionListener);
}

export class Server extends EventEmitter implements nodeNet.Server {
  // Fields are set by initServer() (see there), not by initializers.
  declare _connections: number;
  declare _handle: null;
  declare _usingWorkers: boolean;
  declare _workers: any[];
  declare _unref: boolean;
  declare _listeningId: number;
  declare _pipeName?: string;
  declare _connectionKey?: string;
  declare maxConnections: number;
  /** Removed from node long ago but still in @types/node; absent at runtime, as in node 20. */
  declare readonly connections: number;
  declare allowHalfOpen: boolean;
  declare pauseOnConnect: boolean;
  declare noDelay: boolean;
  declare keepAlive: boolean;
  declare keepAliveInitialDelay: number;
  declare highWaterMark: number;
  /** node 22.13: connections from addresses it blocks are closed at once. */
  declare blockList?: nodeNet.BlockList;
  /** node 22.12: read by cluster workers (see README). */
  declare dropMaxConnection?: boolean;

  declare [kListenHandle]: number;
  declare [kClusterHandle]: ClusterHandle | null;
  declare [kBoundPath]: string | null;
  declare [kReusePort]: boolean;
  declare [kAdopted]: boolean;
  declare [kClosingHandles]: Set<number> | null;
  declare [kHeldCloses]: AsyncResource[] | null;
  declare [kIsPipe]: boolean;
  declare [kAsyncResource]: AsyncResource | null;

  constructor(connectionListener?: (socket: Socket) => void);
  constructor(options?: ServerOpts, connectionListener?: (socket: Socket) => void);
  constructor(options?: any, connectionListener?: any) {
    super();
    initServer(this, options, connectionListener);
  }

  listen(port?: number, hostname?: string, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number, hostname?: string, listeningListener?: () => void): this;
  listen(port?: number, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number, listeningListener?: () => void): this;
  listen(path: string, backlog?: number, listeningListener?: () => void): this;
  listen(path: string, listeningListener?: () => void): this;
  listen(options: nodeNet.ListenOptions, listeningListener?: () => void): this;
  listen(handle: any, backlog?: number, listeningListener?: () => void): this;
  listen(handle: any, listeningListener?: () => void): this;
  listen(...args: any[]): this {
    const normalized = normalizeArgs(args);
    let options: any = normalized[0];
    const cb = normalized[1];
    if (isListening(this)) throw new ERR_SERVER_ALREADY_LISTEN();
    if (netServerListen.hasSubscribers) netServerListen.asyncStart.publish({ server: this, options });
    if (cb !== null) this.once('listening', cb);
    const backlogFromArgs =
      toNumber(args.length > 1 && args[1]) || toNumber(args.length > 2 && args[2]);
    if (boundSocketOf(options) !== null) {
      throw new ERR_INVALID_ARG_VALUE('options', options, 'is a net.BoundSocket, which iocp-net cannot adopt');
    }
    options = options._handle || options.handle || options;
    const ipv6Only = options.ipv6Only === true;
    // node's getFlags(): UV_TCP_IPV6ONLY (1) | UV_TCP_REUSEPORT (2, node 22.12;
    // on every node from createServer({ reusePort }), which no listen()
    // options object shows).
    const flags = (ipv6Only ? 1 : 0) |
      ((features.reusePort && options.reusePort === true) || this[kReusePort] ? 2 : 0);
    this._listeningId++;
    this[kAsyncResource] = new AsyncResource('TCPSERVERWRAP');
    // node's `options instanceof TCP` (a handle of its own): one look at the
    // prototype, as instanceof takes; the rest of the chain is not the options'.
    if (isNodeTcpHandle(options)) {
      // node's own TCP handle (another node:net server's _handle): node
      // takes that handle over, bypassing cluster; so do we: it accepts (it
      // listens now if it did not yet) and each connection it hands over
      // becomes one of ours, as a cluster worker's round-robin connections.
      this[kClusterHandle] = options;
      setupListenHandle(this, null, -1, -1, backlogFromArgs, undefined, 0, true);
      return this;
    }

    addServerAbortSignalOption(this, options);
    if (typeof options.fd === 'number' && options.fd >= 0) {
      // (handle[, backlog][, cb]) where handle is an object with a fd: the
      // server takes the descriptor over (closed with the server), as node's.
      listenHere(this, null, null, null, backlogFromArgs, options.fd, undefined, flags);
      return this;
    }
    if (args.length === 0 || typeof args[0] === 'function' ||
        (typeof options.port === 'undefined' && 'port' in options) ||
        options.port === null) {
      options.port = 0;
    }
    let backlog;
    if (typeof options.port === 'number' || typeof options.port === 'string') {
      validatePort(options.port, 'options.port');
      backlog = options.backlog || backlogFromArgs;
      if (features.reusePort && options.reusePort === true) options.exclusive = true;
      if (options.host) {
        lookupAndListen(this, options.port | 0, options.host, backlog, options.exclusive, flags);
      } else {
        listenHere(this, null, options.port | 0, 4, backlog, undefined, options.exclusive, flags);
      }
      return this;
    }
    if (options.path && isPipeName(options.path)) {
      if (options.path[0] === '\0' && (options.readableAll || options.writableAll)) {
        const msg = 'can not set readableAll or writableAllt to true when path is abstract unix socket';
        throw new ERR_INVALID_ARG_VALUE('options', options, msg);
      }
      const pipeName = this._pipeName = options.path;
      backlog = options.backlog || backlogFromArgs;
      listenHere(this, pipeName, -1, -1, backlog, undefined, options.exclusive, 0,
        { readableAll: options.readableAll, writableAll: options.writableAll });
      if (!this[kListenHandle]) return this;
      const readableAll = options.readableAll === true;
      const writableAll = options.writableAll === true;
      // On Windows node's uv_pipe_chmod widens the named pipe's DACL instead;
      // iocp-net does not do that yet (the pipe keeps its default access).
      if ((readableAll || writableAll) && process.platform !== 'win32') {
        try {
          chmodPipe(pipeName, readableAll, writableAll);
        } catch (e: any) {
          getEngine().close(this[kListenHandle], CloseMode.Abort);
          this[kListenHandle] = 0;
          throw new ErrnoException(typeof e.errno === 'number' ? e.errno : UV_EINVAL, 'uv_pipe_chmod');
        }
      }
      return this;
    }
    if (!(('port' in options) || ('path' in options))) {
      throw new ERR_INVALID_ARG_VALUE('options', options, 'must have the property "port" or "path"');
    }
    throw new ERR_INVALID_ARG_VALUE('options', options);
  }

  /** node's legacy name for the bind+listen step (some libraries wrap it). */
  _listen2(address: string | null, port: number | null, addressType: number | null,
           backlog?: number | false, fd?: number, flags?: number): void {
    setupListenHandle(this, address, port, addressType, backlog, fd, flags ?? 0, false);
  }

  /** cluster's hook (node's name): a worker's handle list counted by getConnections/close. */
  _setupWorker(socketList: any): void {
    this._usingWorkers = true;
    this._workers.push(socketList);
    socketList.once('exit', (list: any) => {
      const index = this._workers.indexOf(list);
      this._workers.splice(index, 1);
    });
  }

  get listening(): boolean {
    return isListening(this);
  }

  address(): nodeNet.AddressInfo | string | null {
    if (this[kListenHandle] && !this[kIsPipe]) {
      const out: Partial<AddressInfo> = {};
      const err = getEngine().sockname(this[kListenHandle], out);
      if (err) throw new ErrnoException(err, 'address');
      return out as nodeNet.AddressInfo;
    } else if (!this[kListenHandle] && this[kClusterHandle]?.getsockname) {
      // Round-robin: the address the primary listens on.
      const out = {};
      const err = this[kClusterHandle].getsockname(out);
      if (err) throw new ErrnoException(err, 'address');
      return out as nodeNet.AddressInfo;
    } else if (this._pipeName) {
      return this._pipeName;
    }
    return null;
  }

  getConnections(cb: (error: Error | null, count: number) => void): this {
    const end = (err: Error | null, connections?: number) => process.nextTick(cb, err, connections);
    if (!this._usingWorkers) {
      end(null, this._connections);
      return this;
    }
    let left = this._workers.length;
    let total = this._connections;
    const oncount = (err: Error | null, count: number) => {
      if (err) {
        left = -1;
        end(err);
        return;
      }
      total += count;
      if (--left === 0) end(null, total);
    };
    for (const worker of this._workers) worker.getConnections(oncount);
    return this;
  }

  close(cb?: (err?: Error) => void): this {
    this._listeningId++;
    if (typeof cb === 'function') {
      if (!isListening(this)) {
        this.once('close', function close() {
          cb(new ERR_SERVER_NOT_RUNNING());
        });
      } else {
        this.once('close', cb);
      }
    }
    if (this[kListenHandle]) {
      // A listening socket stops at once, so 'close' need not wait for the
      // engine, except for an abstract unix name: that name is free only when
      // the socket is gone, and the engine reports that a loop turn later
      // (io_uring: once the accept in flight is cancelled; see README). A
      // socket adopted from a descriptor is not stopped (other processes may
      // share it): it stops accepting only when the engine closed it.
      if ((this[kIsPipe] && this._pipeName?.startsWith('\0')) || this[kAdopted]) {
        (this[kClosingHandles] ??= new Set()).add(this[kListenHandle]);
      }
      getEngine().close(this[kListenHandle], CloseMode.Abort);
      this[kListenHandle] = 0;
      if (this[kBoundPath] !== null) unlinkPipe(this[kBoundPath]);
      this[kBoundPath] = null;
    }
    if (this[kClusterHandle] !== null) {
      // Tells the primary (node's cluster module wraps close()).
      const handle = this[kClusterHandle];
      this[kClusterHandle] = null;
      handle.close();
    }
    if (this._usingWorkers) {
      let left = this._workers.length;
      const onWorkerClose = () => {
        if (--left !== 0) return;
        this._connections = 0;
        this._emitCloseIfDrained();
      };
      // Counted so 'close' is emitted once even if every socket closes meanwhile.
      this._connections++;
      for (const worker of this._workers) worker.close(onWorkerClose);
    } else {
      this._emitCloseIfDrained();
    }
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!isListening(this)) return;
    return promisify(this.close).call(this) as Promise<void>;
  }

  /** node's: every call made while nothing is listening and no connection is open owes one 'close'. */
  _emitCloseIfDrained(): void {
    if (isListening(this) || this._connections) return;
    if (this[kClosingHandles]?.size) {
      (this[kHeldCloses] ??= []).push(new AsyncResource('SERVERCLOSE'));
      return;
    }
    process.nextTick(emitCloseNT, this);
  }

  override [EventEmitter.captureRejectionSymbol](err: Error, event: string, sock: Socket): void {
    switch (event) {
      case 'connection':
        sock.destroy(err);
        break;
      default:
        this.emit('error', err);
    }
  }

  ref(): this {
    this._unref = false;
    if (this[kListenHandle]) getEngine().ref(this[kListenHandle]);
    this[kClusterHandle]?.ref?.();
    return this;
  }

  unref(): this {
    this._unref = true;
    if (this[kListenHandle]) getEngine().unref(this[kListenHandle]);
    this[kClusterHandle]?.unref?.();
    return this;
  }
}

/** node's listenInCluster: here, or in a cluster worker through the primary (lib/cluster.ts). */
function listenHere(self: Server, address: string | null, port: number | null, addressType: number | null,
                    backlog: number | false | undefined, fd: number | undefined, exclusive: unknown, flags: number,
                    extra?: object): void {
  // A reusePort listener is the worker's own, never the primary's (as node 22.12's).
  listenInCluster(self, address, port, addressType, backlog, fd, exclusive || (self[kReusePort] && port !== -1), flags, extra,
    (handle) => {
      // node: "if there was a handle, just close it to avoid fd leak".
      self[kClusterHandle]?.close();
      self[kClusterHandle] = handle;
    },
    (err, syscall = 'bind') => new ExceptionWithHostPort(err, syscall, address as string, port as number));
}

function lookupAndListen(self: Server, port: number, address: string, backlog: number | undefined,
                         exclusive: unknown, flags: number): void {
  const listeningId = self._listeningId;
  // node:dns is loaded on the first listen() with a host, as node:net does.
  const dns = require('dns') as typeof dnsModule;
  if (features.listenSkipsLinkLocal) {
    // node 22.8: every address, then the first that is not IPv6 link-local.
    dns.lookup(address, { all: true }, (err, addresses) => {
      if (listeningId !== self._listeningId) return;
      if (err) {
        self.emit('error', err);
        return;
      }
      const valid = addresses.find((a) => !isIpv6LinkLocal(a.address)) ?? addresses[0];
      listenHere(self, valid.address, port, valid?.family || 4, backlog, undefined, exclusive, flags);
    });
    return;
  }
  dns.lookup(address, (err, ip, addressType) => {
    if (listeningId !== self._listeningId) return;
    if (err) {
      self.emit('error', err);
    } else {
      listenHere(self, ip, port, ip ? addressType : 4, backlog, undefined, exclusive, flags);
    }
  });
}

/**
 * `options instanceof TCP`: node's own TCP handle (another node:net server's
 * `_handle`). Reads the options' prototype once, as instanceof does; the
 * prototypes' own constructors after that are node's, not the caller's.
 */
function isNodeTcpHandle(options: unknown): boolean {
  if (options === null || (typeof options !== 'object' && typeof options !== 'function')) return false;
  for (let proto = Object.getPrototypeOf(options); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
    if (typeof ctor === 'function' && ctor.name === 'TCP' && proto !== Object.prototype) return true;
  }
  return false;
}

/**
 * listen({ fd }): node makes a handle of the descriptor (a socket; anything
 * else is EINVAL) and calls listen(2) on it. A connected socket fails there
 * (EINVAL) and, as in node, is closed. Returns the engine handle or errno.
 */
function openListeningFd(fd: number, backlog: number): number {
  let type: string;
  try {
    type = guessHandleType(fd);
  } catch {
    return UV_EINVAL;
  }
  if (type !== 'TCP' && type !== 'PIPE') return UV_EINVAL;
  const engine = getEngine();
  const handle = engine.openFd(fd, false, backlog);
  if (handle < 0) return handle;
  if (engine.peername(handle, {}) === 0) {
    engine.close(handle, CloseMode.Abort);
    return UV_EINVAL;
  }
  return handle;
}

/**
 * A handle already there, as node's setupListenHandle takes it: a cluster
 * worker's from the primary, the primary's socket (SCHED_NONE), which the
 * engine listens on through a dup, or the round-robin stand-in; or node's
 * own TCP handle given to listen(handle) (`deliver`). The last two hand
 * over each connection through their onconnection. Returns the engine
 * handle (0 when connections are handed over) or errno.
 */
function listenOnHandle(self: Server, handle: ClusterHandle, backlog: number, deliver: boolean): number {
  handle[nodeOwnerSymbol()] = self;
  if (!deliver && typeof handle.fd === 'number' && handle.fd >= 0) return getEngine().openFd(handle.fd, true, backlog);
  handle.onconnection = (err, connection) => {
    if (self[kClusterHandle] !== handle) {
      connection?.close();
      return;
    }
    if (err) {
      self[kAsyncResource]!.runInAsyncScope(onconnection, null, self, err, 0, null);
      return;
    }
    const peer = adoptClusterConnection(connection!);
    if (peer === 0) return;
    const resource = new AsyncResource('TCPWRAP');
    self[kAsyncResource]!.runInAsyncScope(onconnection, null, self, 0, peer, resource);
  };
  return handle.listen ? handle.listen(backlog) : 0;
}

/** fe80::/10 */
function isIpv6LinkLocal(ip: string): boolean {
  if (isIP(ip) !== 6) return false;
  const head = ip.split('%')[0].toLowerCase();
  const first = parseInt(head.split(':')[0] || '0', 16);
  return (first & 0xffc0) === 0xfe80;
}

/** node's setupListenHandle: bind+listen now, 'listening' (or 'error') on the next tick. */
function setupListenHandle(self: Server, address: string | null, port: number | null, addressType: number | null,
                           backlog: number | false | undefined, fd: number | undefined, flags: number,
                           deliver: boolean): void {
  const engine = getEngine();
  const ipv6Only = (flags & 1) !== 0;
  const reusePort = (flags & 2) !== 0;
  // The binding coerces the backlog like node's handle.listen (ToInt32).
  const backlogValue = +(backlog || 511) | 0;
  let rval: number;
  let isPipe = false;
  let adopted = false;
  const clusterHandle = self[kClusterHandle];
  if (clusterHandle !== null && process.platform === 'win32') {
    // listen(handle) of node's TCP handle (a cluster worker's never gets
    // here on Windows, lib/cluster.ts): node's handles have no descriptor
    // there (fd -1) and the engine cannot take a SOCKET libuv owns, so
    // ENOTSUP, and node's handle is left to its server (README, Windows).
    rval = UV_ENOTSUP;
    self[kClusterHandle] = null;
  } else if (clusterHandle !== null) {
    rval = listenOnHandle(self, clusterHandle, backlogValue, deliver);
    adopted = true;
    isPipe = !deliver && port === -1 && addressType === -1;
    if (rval < 0) {
      self[kClusterHandle] = null;
      clusterHandle.close();
    }
  } else if (typeof fd === 'number') {
    rval = openListeningFd(fd, backlogValue);
    adopted = true;
    isPipe = rval > 0 && isUnixSocketHandle(rval);
  } else if (port === -1 && addressType === -1) {
    rval = pipeNameError(address!) || engine.listenPipe(unixSocketName(address!), backlogValue);
    // libuv reports a missing directory as EACCES when binding a pipe.
    if (rval === UV_ENOENT) rval = UV_EACCES;
    isPipe = true;
  } else if (!address) {
    // Unspecified address: dual-stack '::', or 0.0.0.0 where IPv6 is unavailable.
    rval = engine.listenTcp(DEFAULT_IPV6_ADDR, port!, backlogValue, ipv6Only, reusePort);
    address = DEFAULT_IPV6_ADDR;
    addressType = 6;
    if (rval === UV_EAFNOSUPPORT || rval === UV_EADDRNOTAVAIL) {
      rval = engine.listenTcp(DEFAULT_IPV4_ADDR, port!, backlogValue, false, reusePort);
      address = DEFAULT_IPV4_ADDR;
      addressType = 4;
    }
  } else {
    rval = engine.listenTcp(zoneAsNodeReadsIt(address), port!, backlogValue, addressType === 6 && ipv6Only, reusePort);
  }
  if (rval < 0) {
    const error = new UVExceptionWithHostPort(rval, 'listen', address as string, port as number);
    if (netServerListen.hasSubscribers) netServerListen.error.publish({ server: self, error });
    process.nextTick(emitErrorNT, self, error);
    return;
  }
  self[kListenHandle] = rval;
  self[kIsPipe] = isPipe;
  self[kBoundPath] = isPipe && !adopted ? address : null;
  self[kAdopted] = adopted && rval > 0;
  if (rval > 0) {
    engine.setOwner(rval, new ServerHandleOwner(self, rval));
    applyListenerTimeouts(self, rval);
  }
  if (netServerListen.hasSubscribers) netServerListen.asyncEnd.publish({ server: self });
  self._connectionKey = addressType + ':' + address + ':' + port;
  if (self._unref) self.unref();
  process.nextTick(emitListeningNT, self);
}

// net.Socket on the completion engine: a stream.Duplex whose reads, writes,
// shutdown and close go to lib/engine.ts. Behaviour (event order, errors,
// option validation) follows node v20's lib/net.js.
import { Duplex } from 'stream';
import { AsyncResource } from 'async_hooks';
import * as fs from 'fs';
import type * as nodeNet from 'net';
import { getEngine, CloseMode } from './engine';
import type { HandleOwner } from './engine';
import { codes, ErrnoException, ExceptionWithHostPort, genericNodeError } from './errors';
import {
  addAbortListener, symbolDispose, validateAbortSignal, validateFunction, validateInt32, validateNumber, validateString,
} from './validate';
import type { Disposable } from './validate';
import { bindPort, normalizeArgs, normalizedArgsSymbol, pipeNameError, unixSocketFile, unixSocketName } from './args';
import type { NormalizedArgs } from './args';
import { UV_ECANCELED, UV_ENOTCONN, UV_EINVAL, UV_EISCONN, UV_EALREADY, UV_ECONNREFUSED, UV_ENOPROTOOPT, UV_EBUSY } from './uv';
import {
  kHandle, kHasHandle, kAcceptedHandle, kAcceptedResource, kInternalConnect, kAdoptHandle, kAfterConnect,
  kConnectFailed, kAsyncResource, kTimeout, kAbortPendingAttempt, kUnref, kIsPipe, kSetNoDelay, kSetKeepAlive, kSetKeepAliveInitialDelay,
} from './symbols';
import { lookupAndConnect, isImmediateConnectError, immediateConnectError, localBindError } from './lookup';
import { connectAddressAsNodeReadsIt, isIP, zoneAsNodeReadsIt } from './ip';
import type { HappyEyeballsOpts } from './happy-eyeballs';
import { features } from './features';
import {
  applyConnectOptions, installSocketOptions, isBlocked, readLateOptions, readTypeOfServiceOption, setKeepAlive,
} from './socket_options';
import * as dc from 'diagnostics_channel';
import { reapIdle } from './idle';

const netClientSocketChannel = dc.channel('net.client.socket');

const {
  ERR_INVALID_ARG_VALUE, ERR_INVALID_FD_TYPE, ERR_INVALID_HANDLE_TYPE, ERR_MISSING_ARGS, ERR_OUT_OF_RANGE,
  ERR_SOCKET_CLOSED, ERR_SOCKET_CLOSED_BEFORE_CONNECTION, ERR_IP_BLOCKED,
} = codes;

/** setKeepAlive's options-object form (node 24.19). */
export interface KeepAliveOptions { enable?: boolean; initialDelay?: number; interval?: number; count?: number }

const TIMEOUT_MAX = 2 ** 31 - 1;
const DEFAULT_IPV4_ADDR = '0.0.0.0';
const DEFAULT_IPV6_ADDR = '::';

const kBytesRead = Symbol('kBytesRead');
const kBytesWritten = Symbol('kBytesWritten');
const kLastWriteQueueSize = Symbol('kLastWriteQueueSize');
const kReading = Symbol('kReading');
const kOwner = Symbol('kOwner');
const kShutdownCb = Symbol('kShutdownCb');
const kBuffer = Symbol('kBuffer');
const kBufferCb = Symbol('kBufferCb');
const kBufferGen = Symbol('kBufferGen');
const kBufferLeftover = Symbol('kBufferLeftover');
const kHeldEof = Symbol('kHeldEof');
const kFlushScheduled = Symbol('kFlushScheduled');
const kShutdownScope = Symbol('kShutdownScope');
const kNodeHandle = Symbol('kNodeHandle');
const kHandlePhase = Symbol('kHandlePhase');


type WriteCb = (err?: Error | null) => void;
type WritevChunk = { chunk: any; encoding: BufferEncoding | 'buffer' };

/** What a connect request remembers for its error message (node's TCPConnectWrap fields). */
export interface ConnectRequest {
  address: string;
  port?: number;
  localAddress?: string;
  localPort?: number;
  addressType?: number;
}

function getTimerDuration(msecs: unknown, name: string): number {
  validateNumber(msecs, name);
  const n = msecs as number;
  if (n < 0 || !Number.isFinite(n)) {
    throw new ERR_OUT_OF_RANGE(name, 'a non-negative finite number', n);
  }
  if (n > TIMEOUT_MAX) {
    process.emitWarning(`${n} does not fit into a 32-bit signed integer.` +
                        `\nTimer duration was truncated to ${TIMEOUT_MAX}.`,
                        'TimeoutOverflowWarning');
    return TIMEOUT_MAX;
  }
  return n;
}

/**
 * Receives the engine's events for one handle of a socket. Events of a handle
 * the socket no longer owns (it was destroyed or replaced) are ignored, except
 * onClose, which runs the close callback registered by _destroy().
 */
class SocketHandleOwner implements HandleOwner {
  // One per connection, so it stays small: no copy of the handle number (a
  // 16-byte HeapNumber, since handles exceed the Smi range): the socket's
  // kOwner slot says whether this handle is still the socket's.
  /** What onClose does (closeHandle sets it); Done once the handle is closed or given up. */
  closeState: CloseState = CloseState.Silent;
  /** Bytes of writes completed early (committed, see _writeGeneric) that the engine may not have handed
   *  to the kernel yet: an upper bound, made exact by asking the engine (engine.committedBytes) when it matters. */
  committedBytes = 0;
  /** Writes in the engine whose callback waits for the kernel. */
  heldWrites = 0;
  /** Someone saw writableLength > 0 from committed bytes alone: 'drain' follows when they are sent. */
  drainOwed = false;
  constructor(readonly socket: Socket) {}

  /** kOwner and kHandle are set and cleared together (kAdoptHandle, _destroy, connect). */
  private live(): boolean {
    return this.socket[kOwner] === this;
  }
  onConnect(status: number): void {
    // A connect() made meanwhile took over (connectExistingHandle).
    if (!this.live() || this.socket[kHandlePhase] === HandlePhase.Reconnecting) return;
    this.socket[kAsyncResource]!.runInAsyncScope(() => this.socket[kAfterConnect](status));
  }
  onData(data: Buffer): void {
    if (!this.live()) return;
    this.socket[kAsyncResource]!.runInAsyncScope(onSocketData, null, this.socket, data);
  }
  onEnd(): void {
    if (!this.live()) return;
    this.socket[kAsyncResource]!.runInAsyncScope(onSocketEof, null, this.socket);
  }
  onReadError(status: number): void {
    if (!this.live()) return;
    const socket = this.socket;
    socket[kAsyncResource]!.runInAsyncScope(() => {
      socket[kUpdateTimer]();
      socket.destroy(new ErrnoException(status, 'read'));
    });
  }
  onWriteError(status: number): void {
    // A write that completed early failed later: like an async write error.
    if (!this.live()) return;
    const socket = this.socket;
    if (!socket.destroyed) socket[kAsyncResource]!.runInAsyncScope(destroyWithWriteError, null, socket, status);
  }
  onSent(): void {
    if (this.live()) payDrain(this.socket, this);
  }
  onIdle(): void {
    // The server's idle reaper (lib/idle.ts).
    if (this.live()) this.socket[kAsyncResource]!.runInAsyncScope(reapIdle, null, this.socket);
  }
  onShutdown(_status: number): void {
    // node's afterShutdown ignores the status: 'finish' follows either way.
    const socket = this.socket;
    const cb = socket[kShutdownCb];
    if (!this.live() || cb === null) return;
    socket[kShutdownCb] = null;
    (socket[kShutdownScope] ?? socket[kAsyncResource]!).runInAsyncScope(cb);
  }
  onClose(): void {
    const state = this.closeState;
    if (state === CloseState.Done) return;
    this.closeState = CloseState.Done;
    if (state !== CloseState.Silent) {
      this.socket[kAsyncResource]!.runInAsyncScope(emitCloseEvent, null, this.socket, state === CloseState.EmitHadError);
    }
  }
}

/**
 * Where a socket's handle stands for connect(2) (see connectExistingHandle).
 * Once: connected by a non-blocking connect whose end the kernel has not
 * reported to a connect() call yet, so the next connect() succeeds.
 */
const enum HandlePhase { Connecting = 0, Reconnecting = 1, Once = 2, Connected = 3 }

/** One field for "closed yet?" and "emit 'close' (hadError false/true) then?": the owner is per connection. */
const enum CloseState { Silent = 0, EmitClean = 1, EmitHadError = 2, Done = 3 }

function emitCloseEvent(socket: Socket, hadError: boolean): void {
  socket.emit('close', hadError);
}

const kUpdateTimer = Symbol('kUpdateTimer');

function onSocketData(socket: Socket, data: Buffer): void {
  socket[kUpdateTimer]();
  if (socket.destroyed) return;
  socket[kBytesRead] += data.length;
  let result: boolean;
  if (socket[kBuffer]) {
    // onread: bytes held back by a pause (or arriving after it) wait their turn.
    const held = socket[kBufferLeftover];
    if (held || !socket[kReading]) {
      socket[kBufferLeftover] = held ? Buffer.concat([held, data]) : data;
      return;
    }
    result = deliverToUserBuffer(socket, data);
  } else {
    result = socket.push(data);
  }
  if (!result) stopReading(socket);
}

/** onread option: copy into the user's buffer, one callback per buffer-full. Returns false to pause. */
function deliverToUserBuffer(socket: Socket, data: Buffer): boolean {
  let offset = 0;
  while (offset < data.length) {
    const userBuf = socket[kBuffer] as Uint8Array;
    const n = Math.min(userBuf.length, data.length - offset);
    if (n === 0) return true;
    data.copy(userBuf, 0, offset, offset + n);
    offset += n;
    const keepGoing = socket[kBufferCb]!(n, userBuf) !== false;
    const gen = socket[kBufferGen];
    if (gen !== null) {
      const next = gen();
      if (next instanceof Uint8Array) socket[kBuffer] = next;
    }
    // Returning false or calling pause() in the callback stops delivery at once.
    if (!keepGoing || !socket[kReading]) {
      if (offset < data.length) socket[kBufferLeftover] = data.subarray(offset);
      return false;
    }
  }
  return true;
}

function stopReading(socket: Socket): void {
  socket[kReading] = false;
  if (socket.destroyed || !socket[kHandle]) return;
  const err = getEngine().readStop(socket[kHandle]);
  if (err) socket.destroy(new ErrnoException(err, 'read'));
}

function tryReadStart(socket: Socket): void {
  socket[kReading] = true;
  if (socket[kBufferLeftover] || socket[kHeldEof]) {
    // onread bytes (or the EOF) held back by a pause come first, asynchronously like a read.
    if (!socket[kFlushScheduled]) {
      socket[kFlushScheduled] = true;
      setImmediate(flushHeldBack, socket);
    }
    return;
  }
  const err = getEngine().readStart(socket[kHandle]);
  if (err) socket.destroy(new ErrnoException(err, 'read'));
}

function flushHeldBack(socket: Socket): void {
  socket[kFlushScheduled] = false;
  if (!socket[kReading] || socket.destroyed || !socket[kHandle]) return;
  socket[kAsyncResource]!.runInAsyncScope(() => {
    const held = socket[kBufferLeftover];
    socket[kBufferLeftover] = null;
    if (held && !deliverToUserBuffer(socket, held)) {
      stopReading(socket);
      return;
    }
    if (socket[kHeldEof]) {
      socket[kHeldEof] = false;
      onSocketEof(socket);
      return;
    }
    tryReadStart(socket);
  });
}

function onSocketEof(socket: Socket): void {
  if (socket[kBufferLeftover]) {
    socket[kHeldEof] = true;
    return;
  }
  socket[kUpdateTimer]();
  socket[kReading] = false;
  if (!socket.readableEnded) {
    socket.push(null);
    socket.read(0);
  }
}

function onReadableStreamEnd(this: Socket): void {
  if (!this.allowHalfOpen) this.write = writeAfterFIN as any;
}

// A clearer error than "write after end" when the peer's FIN ended us.
function writeAfterFIN(this: Socket, chunk: any, encoding?: any, cb?: any): boolean {
  if (!this.writableEnded) {
    return Duplex.prototype.write.call(this, chunk, encoding, cb);
  }
  if (typeof encoding === 'function') {
    cb = encoding;
    encoding = null;
  }
  const er = genericNodeError('This socket has been ended by the other party', { code: 'EPIPE' });
  if (typeof cb === 'function') process.nextTick(cb, er);
  this.destroy(er);
  return false;
}

function addClientAbortSignalOption(self: Socket, signal: AbortSignal): void {
  validateAbortSignal(signal, 'options.signal');
  let disposable: Disposable | undefined;
  const onAbort = () => {
    disposable?.[symbolDispose]();
    self._aborted = true;
  };
  if (signal.aborted) process.nextTick(onAbort);
  else process.nextTick(() => { disposable = addAbortListener(signal, onAbort); });
}

/** What node's guessHandleType says of a descriptor (after validating it like createHandle). */
export function guessHandleType(fd: unknown): string {
  validateInt32(fd, 'fd', 0);
  // node:tty is loaded only here: it loads node:net (~1.8 MiB of RSS).
  if ((require('tty') as typeof import('tty')).isatty(fd as number)) return 'TTY';
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(fd as number);
  } catch {
    return 'UNKNOWN';
  }
  // libuv calls character devices (/dev/null...) files too.
  if (stat.isFile() || stat.isCharacterDevice()) return 'FILE';
  if (stat.isFIFO()) return 'PIPE';
  // A socket: node tells TCP from unix sockets; either way it is a stream socket.
  if (stat.isSocket()) return 'TCP';
  return 'UNKNOWN';
}

/**
 * The async context a request started now must complete in: node's write and
 * shutdown requests capture the caller's context. Always a new resource: the
 * caller may run in the socket's own resource with other AsyncLocalStorage
 * stores (als.run() changes the stores, not the resource). Writes that
 * complete at once (most) need none.
 */
function requestScope(): AsyncResource {
  return new AsyncResource('WRITEWRAP');
}

function emitCloseNT(self: Socket): void {
  self.emit('close');
}

// Encodings whose Buffer.byteLength is exact. For the others (hex, base64,
// base64url, in any letter case) it is an estimate: invalid or odd input
// decodes shorter ('zz' as hex is 0 bytes).
const exactLengthEncodings = new Set(['utf8', 'utf-8', 'latin1', 'binary', 'ascii', 'ucs2', 'ucs-2', 'utf16le', 'utf-16le']);

/** Bytes a dispatched chunk puts on the wire (node counts what the encoder wrote). */
function chunkByteLength(chunk: any, encoding: BufferEncoding | 'buffer' | undefined): number {
  if (typeof chunk !== 'string') return chunk.byteLength;
  if (encoding === undefined || encoding === 'buffer' || exactLengthEncodings.has(encoding)) {
    return Buffer.byteLength(chunk, encoding === 'buffer' ? undefined : encoding);
  }
  return Buffer.from(chunk, encoding).length;
}

export interface SocketConstructorOpts extends nodeNet.SocketConstructorOpts {
  highWaterMark?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  onread?: nodeNet.OnReadOpts;
  pauseOnCreate?: boolean;
  manualStart?: boolean;
  /** node 24.15: IP_TOS / IPV6_TCLASS, applied once connected. */
  typeOfService?: number;
  /** node 22.13: addresses this socket refuses to connect to (ERR_IP_BLOCKED). */
  blockList?: nodeNet.BlockList;
  /** iocp-net: TCP_USER_TIMEOUT in ms, applied once connected. */
  userTimeout?: number;
  [kAcceptedHandle]?: number;
  [kAcceptedResource]?: AsyncResource | null;
  [kIsPipe]?: boolean;
}

// Options objects Server made for accepted connections. A WeakSet, so
// telling them apart reads nothing from the user's options (node reads its
// keys in a fixed order, which getters and Proxies can observe).
const acceptedOptions = new WeakSet<object>();

/** Marks `options` (with kAcceptedHandle set) as made by Server for an accepted connection. */
export function acceptedSocketOptions(options: SocketConstructorOpts): SocketConstructorOpts {
  acceptedOptions.add(options);
  return options;
}

/** Validates Socket constructor options like node and builds the stream.Duplex options. */
function socketOptions(options: SocketConstructorOpts | number | undefined): any {
  const opts = options as any;
  if (acceptedOptions.has(opts)) {
    // Built by Server for an accepted connection: ours to complete in place.
    opts.allowHalfOpen = Boolean(opts.allowHalfOpen);
    opts.emitClose = false;
    opts.autoDestroy = true;
    opts.decodeStrings = false;
    return opts;
  }
  if (opts?.objectMode) {
    throw new ERR_INVALID_ARG_VALUE('options.objectMode', opts.objectMode, 'is not supported');
  } else if (opts?.readableObjectMode || opts?.writableObjectMode) {
    throw new ERR_INVALID_ARG_VALUE(
      `options.${opts.readableObjectMode ? 'readableObjectMode' : 'writableObjectMode'}`,
      opts.readableObjectMode || opts.writableObjectMode,
      'is not supported',
    );
  }
  if (typeof opts?.keepAliveInitialDelay !== 'undefined') {
    validateNumber(opts.keepAliveInitialDelay, 'options.keepAliveInitialDelay');
    if (opts.keepAliveInitialDelay < 0) opts.keepAliveInitialDelay = 0;
  }
  const o: any = typeof options === 'number' ? { fd: options } : { ...options };
  o.allowHalfOpen = Boolean(o.allowHalfOpen);
  // node's Socket emits 'close' itself, after the handle is closed.
  o.emitClose = false;
  o.autoDestroy = true;
  o.decodeStrings = false;
  return o;
}

/**
 * Everything the Socket constructor does after stream.Duplex's. A function of
 * its own so `net.Socket.call(this, options)` (pre-class inheritance) works too.
 */
export function initSocket(self: Socket, o: any): void {
  self.connecting = false;
  self._hadError = false;
  self._parent = null;
  self._host = null;
  self._peername = null;
  self._sockname = null;
  self._pendingData = null;
  self._pendingEncoding = '';
  self._closeAfterHandlingError = false;
  self.server = null;
  self._server = null;
  // Only the slots every connection uses live on the instance; the rarely
  // used ones start as defaults on Socket.prototype (see the end of the class)
  // and become own properties when first set, which keeps an idle socket small.
  self[kHandle] = 0;
  self[kHasHandle] = false;
  self[kOwner] = null;
  self[kAsyncResource] = null;
  self[kReading] = false;
  self[kBytesRead] = 0;
  self[kBytesWritten] = 0;

  if (o.fd !== undefined && o[kAcceptedHandle] === undefined) {
    const type = guessHandleType(o.fd);
    if (type !== 'TCP' && type !== 'PIPE') throw new ERR_INVALID_FD_TYPE(type);
    // The socket takes the descriptor over (closed with the socket), as
    // node's handle.open(fd) does. A FIFO, which node wraps as a pipe, is no
    // socket the engine can run: ENOTSOCK, syscall 'open'; a socket that is
    // not connected: EINVAL (README).
    const engine = getEngine();
    // Connected sockets only: a listening one would accept (node's Socket never does).
    const handle = engine.openFd(o.fd, false, -1);
    if (handle < 0) throw new ErrnoException(handle, 'open');
    o[kAcceptedHandle] = handle;
    o[kIsPipe] = isUnixSocketHandle(handle);
  }

  const onread = o.onread;
  if (onread !== null && typeof onread === 'object' &&
      (onread.buffer instanceof Uint8Array || typeof onread.buffer === 'function') &&
      typeof onread.callback === 'function') {
    if (typeof onread.buffer === 'function') {
      self[kBuffer] = true;
      self[kBufferGen] = onread.buffer;
    } else {
      self[kBuffer] = onread.buffer;
    }
    self[kBufferCb] = onread.callback;
  }

  if (o.noDelay) self[kSetNoDelay] = true;
  if (o.keepAlive) self[kSetKeepAlive] = true;
  if (o.keepAliveInitialDelay !== undefined) self[kSetKeepAliveInitialDelay] = ~~(o.keepAliveInitialDelay / 1000);
  readTypeOfServiceOption(self, o);

  self.on('end', onReadableStreamEnd);
  // stream.Duplex destroys on abort; node also marks the socket so pending
  // autoSelectFamily attempts stop.
  if (o.signal) addClientAbortSignalOption(self, o.signal);
  readLateOptions(self, o);

  (self as any)._undestroy();
  const accepted = o[kAcceptedHandle];
  if (typeof accepted === 'number' && accepted > 0) {
    self[kHasHandle] = true;
    if (o[kIsPipe] === true) self[kIsPipe] = true;
    self[kAsyncResource] = o[kAcceptedResource] ?? new AsyncResource('TCPWRAP');
    self[kAdoptHandle](accepted);
    if (o.readable !== false) {
      if (o.pauseOnCreate) {
        self[kReading] = false;
        getEngine().readStop(accepted);
        (self as any).readableFlowing = false;
      } else if (!o.manualStart) {
        self.read(0);
      }
    }
  }
}

/** A unix domain socket (node's Pipe handles) rather than TCP: its address has no family. */
export function isUnixSocketHandle(handle: number): boolean {
  const out: { family?: string } = {};
  return getEngine().sockname(handle, out) === 0 && out.family === undefined;
}

/** `net.Socket.call(this, options)` on an object that inherits Socket.prototype. */
export function initLegacySocket(self: Socket, options?: SocketConstructorOpts | number): void {
  const o = socketOptions(options);
  Duplex.call(self as any, o);
  initSocket(self, o);
}

export class Socket extends Duplex implements nodeNet.Socket {
  // Fields are set by initSocket() (see there), not by initializers, so the
  // pre-class `Socket.call(this)` form initialises an object the same way.
  declare connecting: boolean;
  declare _hadError: boolean;
  declare _parent: any;
  declare _host: string | null;
  declare _peername: Partial<nodeNet.AddressInfo> | null;
  declare _sockname: Partial<nodeNet.AddressInfo> | null;
  declare _pendingData: any;
  declare _pendingEncoding: string;
  declare _closeAfterHandlingError: boolean;
  declare _aborted?: boolean;
  declare resetAndClosing?: boolean;
  declare server: any;
  declare _server: any;
  declare timeout?: number;
  declare autoSelectFamilyAttemptedAddresses: string[];
  declare allowHalfOpen: boolean;

  declare [kHandle]: number;
  declare [kHasHandle]: boolean;
  declare [kAbortPendingAttempt]: ((() => void) & { handle?: number }) | null;
  declare [kOwner]: SocketHandleOwner | null;
  declare [kAsyncResource]: AsyncResource | null;
  declare [kIsPipe]: boolean;
  declare [kReading]: boolean;
  declare [kUnref]: boolean;
  declare [kShutdownCb]: (() => void) | null;
  declare [kShutdownScope]: AsyncResource | null;
  declare [kNodeHandle]: unknown;
  declare [kLastWriteQueueSize]: number;
  declare [kTimeout]: NodeJS.Timeout | null;
  declare [kBuffer]: Uint8Array | true | null;
  declare [kBufferCb]: ((n: number, buf: Uint8Array) => any) | null;
  declare [kBufferGen]: (() => Uint8Array) | null;
  declare [kBufferLeftover]: Buffer | null;
  declare [kHeldEof]: boolean;
  declare [kFlushScheduled]: boolean;
  declare [kSetNoDelay]: boolean;
  declare [kSetKeepAlive]: boolean;
  declare [kSetKeepAliveInitialDelay]: number;
  declare [kBytesRead]: number;
  declare [kBytesWritten]: number;
  declare [kHandlePhase]: HandlePhase;

  constructor(options?: SocketConstructorOpts | number) {
    const o = socketOptions(options);
    super(o);
    initSocket(this, o);
  }

  /** null: there is no node stream handle (http and tls take their JS-stream paths). */
  get _handle(): any { return this[kNodeHandle]; }
  set _handle(value: any) { this[kNodeHandle] = value; }

  // ---- connection ----------------------------------------------------------

  connect(options: nodeNet.SocketConnectOpts & HappyEyeballsOpts, connectionListener?: () => void): this;
  connect(port: number, host: string, connectionListener?: () => void): this;
  connect(port: number, connectionListener?: () => void): this;
  connect(path: string, connectionListener?: () => void): this;
  connect(...args: any[]): this {
    let normalized: NormalizedArgs;
    if (Array.isArray(args[0]) && (args[0] as any)[normalizedArgsSymbol]) {
      normalized = args[0] as NormalizedArgs;
    } else {
      normalized = normalizeArgs(args);
    }
    const options = normalized[0];
    const cb = normalized[1];
    if (features.clientSocketChannelOnConnect && netClientSocketChannel.hasSubscribers) {
      netClientSocketChannel.publish({ socket: this });
    }
    if (cb !== null) this.once('connect', cb);

    // A parent stream (e.g. tls) that is already connecting owns the attempt.
    if (this._parent && this._parent.connecting) return this;

    if (options.port === undefined && options.path == null) {
      throw new ERR_MISSING_ARGS(['options', 'port', 'path']);
    }
    if (this.write !== Socket.prototype.write) this.write = Socket.prototype.write;

    if (this.destroyed) {
      this[kHasHandle] = false;
      this[kHandle] = 0;
      this[kOwner] = null;
      this._peername = null;
      this._sockname = null;
    }
    const { path } = options;
    const pipe = !!path;
    if (!this[kHasHandle]) {
      this[kHasHandle] = true;
      this[kIsPipe] = pipe;
      (this as any)._undestroy();
      this._sockname = null;
      // node counts on the handle, and connect() makes a new one: a reconnected
      // socket starts again from 0.
      this[kBytesRead] = 0;
      this[kBytesWritten] = 0;
      this[kAsyncResource] = new AsyncResource(pipe ? 'PIPEWRAP' : 'TCPWRAP');
    }
    this._unrefTimer();
    this.connecting = true;

    if (pipe) {
      validateString(path, 'options.path');
      this[kAsyncResource]!.runInAsyncScope(() => this[kInternalConnect](path));
    } else {
      lookupAndConnect(this, options);
    }
    return this;
  }

  /** Binds (if asked) and starts one connect attempt; errors destroy the socket like node. */
  [kInternalConnect](address: string, port?: number, addressType?: number,
                     localAddress?: string, localPort?: number): void {
    // (An autoSelectFamily attempt in flight is node's handle too.)
    if (this[kHandle] || this[kAbortPendingAttempt] !== null) {
      connectExistingHandle(this, address, port, addressType, localAddress, localPort);
      return;
    }
    const engine = getEngine();
    let handle: number;
    const req: ConnectRequest = { address, port, addressType };
    // The kind of handle was fixed by connect() (a unix socket for a path):
    // node's unix handle given a host and port connects to the host as a path.
    if (!this[kIsPipe] && (addressType === 4 || addressType === 6)) {
      if (localAddress || localPort) {
        localAddress = localAddress || (addressType === 4 ? DEFAULT_IPV4_ADDR : DEFAULT_IPV6_ADDR);
        req.localAddress = localAddress;
        req.localPort = localPort;
        // node binds with uv_ip4_addr/uv_ip6_addr of the target's family: an
        // address of the other family does not parse.
        if (isIP(localAddress) !== addressType) {
          this.destroy(new ExceptionWithHostPort(UV_EINVAL, 'bind', localAddress, localPort));
          return;
        }
      }
      if (isBlocked(this, address, addressType)) {
        // node checks it after binding, before connecting (node 22.13).
        this.emit('connectionAttempt', address, port, addressType);
        this.destroy(new ERR_IP_BLOCKED(address));
        return;
      }
      // node's binding turns the local address into a string (an array of one address works).
      const local = req.localAddress === undefined ? undefined : zoneAsNodeReadsIt(`${req.localAddress}`);
      handle = engine.connectTcp(connectAddressAsNodeReadsIt(address), port!, local, bindPort(req.localPort));
      const bindErr = handle < 0 ? handle : localBindError(handle, req.localPort);
      if (bindErr < 0 && req.localAddress !== undefined) {
        if (handle > 0) engine.close(handle, CloseMode.Abort);
        this.destroy(new ExceptionWithHostPort(bindErr, 'bind', req.localAddress, req.localPort));
        return;
      }
    } else {
      handle = pipeNameError(address) || engine.connectPipe(unixSocketName(address));
    }
    if (handle > 0) this[kAdoptHandle](handle, req);
    this.emit('connectionAttempt', address, port, addressType);
    if (handle > 0) return;
    if (this[kIsPipe] && !pipeNameError(address)) {
      // libuv reports every pipe connect error through the connect callback.
      connectRequests.set(this, req);
      setImmediate(afterConnectAttempt, this, req, handle);
    } else {
      // No socket was made: node's getsockname on its handle fails.
      this.destroy(immediateConnectError(handle, address, port, {}));
    }
  }

  /** Makes `handle` this socket's engine handle (accepted, or a connect attempt in flight). */
  [kAdoptHandle](handle: number, req?: ConnectRequest): void {
    const engine = getEngine();
    const previous = this[kHandle];
    if (previous && previous !== handle) {
      // connect() on a socket that still has a handle: node re-uses it; we replace
      // it, so the old one is closed here rather than leaked.
      this[kOwner]!.closeState = CloseState.Done;
      engine.close(previous, CloseMode.Abort);
    }
    const owner = new SocketHandleOwner(this);
    this[kHandle] = handle;
    this[kOwner] = owner;
    this[kBytesRead] = 0;
    this[kBytesWritten] = 0;
    this[kReading] = false;
    // Accepted sockets never connect: no entry for them.
    if (req !== undefined) {
      connectRequests.set(this, req);
      this[kHandlePhase] = HandlePhase.Connecting;
    } else {
      connectRequests.delete(this);
      this._sockname = null;
      if (this[kHandlePhase] !== HandlePhase.Connected) this[kHandlePhase] = HandlePhase.Connected;
    }
    engine.setOwner(handle, owner);
    if (this[kUnref]) engine.unref(handle);
    if (this[kAbortPendingAttempt] !== null) this[kAbortPendingAttempt] = null;
    if (this[kBuffer] && this[kBufferGen] !== null) {
      const buf = this[kBufferGen]!();
      if (buf instanceof Uint8Array) this[kBuffer] = buf;
    }
  }

  [kAfterConnect](status: number): void {
    if (this.destroyed) return;
    const req = connectRequests.get(this) ?? { address: '' };
    if (status !== 0 && !this[kIsPipe] && isImmediateConnectError(status)) {
      // node gets these from connect(2) itself (in internalConnect): no
      // 'connectionAttemptFailed', and the message tells the local address
      // the handle had (as getsockname last answered it).
      this.destroy(immediateConnectError(status, req.address, req.port!, this._getsockname()));
      return;
    }
    this.connecting = false;
    this._sockname = null;
    if (status === 0) {
      const engine = getEngine();
      this[kHandlePhase] = this[kHandlePhase] === HandlePhase.Connecting ? HandlePhase.Once : HandlePhase.Connected;
      this._unrefTimer();
      if (this[kSetNoDelay]) engine.setNoDelay(this[kHandle], true);
      applyConnectOptions(this, this[kHandle]);
      this.emit('connect');
      this.emit('ready');
      if (!this.isPaused()) this.read(0);
    } else {
      const ex = this[kConnectFailed](req, status);
      this.emit('connectionAttemptFailed', req.address, req.port, req.addressType, ex);
      this.destroy(ex);
    }
  }

  /** node's createConnectionError: connect error with local address details when bound. */
  [kConnectFailed](req: ConnectRequest, status: number): Error {
    let details: string | undefined;
    if (req.localAddress && req.localPort) details = req.localAddress + ':' + req.localPort;
    const ex: any = new ExceptionWithHostPort(status, 'connect', req.address, req.port, details);
    if (details) {
      ex.localAddress = req.localAddress;
      ex.localPort = req.localPort;
    }
    return ex;
  }

  // ---- reading ---------------------------------------------------------------

  override _read(n: number): void {
    if (this.connecting || !this[kHandle]) {
      this.once('connect', () => this._read(n));
    } else if (!this[kReading]) {
      tryReadStart(this);
    }
  }

  override pause(): this {
    if (this[kBuffer] && !this.connecting && this[kHandle] && this[kReading]) {
      this[kReading] = false;
      if (!this.destroyed) {
        const err = getEngine().readStop(this[kHandle]);
        if (err) this.destroy(new ErrnoException(err, 'read'));
      }
    }
    return super.pause();
  }

  override resume(): this {
    if (this[kBuffer] && !this.connecting && this[kHandle] && !this[kReading]) {
      tryReadStart(this);
    }
    return super.resume();
  }

  override read(size?: number): any {
    if (this[kBuffer] && !this.connecting && this[kHandle] && !this[kReading]) {
      tryReadStart(this);
    }
    return super.read(size);
  }

  // ---- writing ---------------------------------------------------------------

  _writeGeneric(writev: boolean, data: any, encoding: string, cb: WriteCb): void {
    if (this.connecting) {
      writeAfterConnect(this, writev, data, encoding, cb);
      return;
    }
    this._pendingData = null;
    this._pendingEncoding = '';
    if (!this[kHandle]) {
      cb(new ERR_SOCKET_CLOSED());
      return;
    }
    this._unrefTimer();

    let chunks: any;
    let encodings: any;
    const engine = getEngine();
    const copyLimit = engine.copyLimit;
    let bytes = 0;
    let copied = true;
    if (writev) {
      const entries = data as WritevChunk[] & { allBuffers?: boolean };
      chunks = new Array(entries.length);
      encodings = entries.allBuffers ? null : new Array(entries.length);
      for (let i = 0; i < entries.length; i++) {
        chunks[i] = entries[i].chunk;
        if (encodings) encodings[i] = entries[i].encoding;
        const size = chunkByteLength(entries[i].chunk, entries[i].encoding);
        bytes += size;
        // (The engine copies only chunks below copyLimit, strings too: a
        // larger one is written from where it is, or encoded and kept.)
        if (size >= copyLimit) copied = false;
      }
    } else {
      chunks = data;  // one chunk: the engine takes it as it is
      encodings = typeof data === 'string' ? encoding : null;
      bytes = chunkByteLength(data, encoding as BufferEncoding);
      if (bytes >= copyLimit) copied = false;
    }
    const owner = this[kOwner]!;
    let scope = this[kAsyncResource]!;
    // A small write the engine copied completes at once, as node's does when
    // uv_try_write takes it: the engine sends it with the turn's other writes
    // (one gathered send, rule 1) and still delivers it if the socket is
    // destroyed first (committed); its completion is reported only if it
    // fails (onWriteError). Only while nothing held is queued before it, and
    // within a budget of writableHighWaterMark bytes, which writableLength
    // counts until they reach the kernel (rule 17).
    // (Not a named pipe: on Windows libuv's uv_try_write of a pipe is always
    // EAGAIN, so node.exe's pipe writes all complete later.)
    const hwm = this.writableHighWaterMark;
    let early = false;
    if (copied && owner.heldWrites === 0 && !(this[kIsPipe] && process.platform === 'win32')) {
      if (owner.committedBytes + bytes > hwm) owner.committedBytes = engine.committedBytes(this[kHandle]);
      early = owner.committedBytes + bytes <= hwm;
    }
    if (early) {
      // (writtenNow: the kernel took it at once, see TryWrite in src/writev.cc.)
      const err = engine.writev(this[kHandle], chunks, encodings, noop, true);
      if (err !== 0 && err !== engine.writtenNow) {
        cb(new ErrnoException(err, 'write'));
        return;
      }
      this[kBytesWritten] += bytes;
      if (err === 0) owner.committedBytes += bytes;
      cb(null);
      return;
    }
    const err = engine.writev(this[kHandle], chunks, encodings, (status) => {
      owner.heldWrites--;
      scope.runInAsyncScope(afterWrite, null, this, status, cb);
    });
    if (err === engine.writtenNow) {
      // The kernel took it all synchronously, as when node's uv_try_write does.
      this[kBytesWritten] += bytes;
      cb(null);
      return;
    }
    if (err !== 0) {
      cb(new ErrnoException(err, 'write'));
      return;
    }
    this[kBytesWritten] += bytes;
    owner.heldWrites++;
    scope = requestScope();
    this[kLastWriteQueueSize] = bytes;
  }

  override _writev(chunks: Array<{ chunk: any; encoding: BufferEncoding }>, cb: WriteCb): void {
    dispatchWrite(this, true, chunks, '', cb);
  }

  override _write(data: any, encoding: BufferEncoding, cb: WriteCb): void {
    dispatchWrite(this, false, data, encoding, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (features.finalWaitsOnlyWhileConnecting ? this.connecting : this.pending) {
      this.once('connect', () => this._final(cb));
      return;
    }
    if (!this[kHandle]) {
      cb();
      return;
    }
    this[kShutdownCb] = () => {
      shutDown(this);
      cb();
    };
    this[kShutdownScope] = requestScope();
    const err = getEngine().shutdown(this[kHandle]);
    if (err === 1 || err === UV_ENOTCONN) {
      this[kShutdownCb] = null;
      shutDown(this);
      cb();
    } else if (err !== 0) {
      this[kShutdownCb] = null;
      cb(new ErrnoException(err, 'shutdown'));
    }
  }

  override end(cb?: () => void): this;
  override end(chunk: any, cb?: () => void): this;
  override end(chunk: any, encoding?: BufferEncoding, cb?: () => void): this;
  override end(data?: any, encoding?: any, callback?: any): this {
    Duplex.prototype.end.call(this, data, encoding, callback);
    return this;
  }

  // ---- closing ---------------------------------------------------------------

  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', this.destroy);
  }

  resetAndDestroy(): this {
    if (this[kHasHandle]) {
      if (this[kIsPipe]) throw new ERR_INVALID_HANDLE_TYPE();
      if (this.connecting) this.once('connect', () => this._reset());
      else this._reset();
    } else {
      this.destroy(new ERR_SOCKET_CLOSED());
    }
    return this;
  }

  _reset(): this {
    this.resetAndClosing = true;
    return this.destroy();
  }

  override _destroy(exception: Error | null, cb: (err: Error | null) => void): void {
    this.connecting = false;
    for (let s: any = this; s !== null && s !== undefined; s = s._parent) {
      if (s[kTimeout]) clearTimeout(s[kTimeout]);
    }
    if (this[kHasHandle]) {
      const isException = exception ? true : false;
      const handle = this[kHandle];
      const owner = this[kOwner];
      const reset = this.resetAndClosing === true;
      this.resetAndClosing = false;
      this[kHasHandle] = false;
      this[kHandle] = 0;
      this[kOwner] = null;
      this[kReading] = false;
      this._sockname = null;
      if (handle && owner) {
        if (reset && this[kShutdownCb] !== null) {
          // libuv refuses to reset a stream whose shutdown is pending: node
          // emits EINVAL, and its handle is never closed, so no 'close'.
          owner.closeState = CloseState.Done;
          getEngine().close(handle, CloseMode.Abort);
          this.emit('error', new ErrnoException(UV_EINVAL, 'reset'));
        } else if (this._closeAfterHandlingError) {
          // tls asks to keep the socket usable while its 'error' handlers run.
          queueMicrotask(() => closeHandle(this, owner, handle, reset, isException));
        } else {
          closeHandle(this, owner, handle, reset, isException);
        }
      } else {
        const abortAttempt = this[kAbortPendingAttempt];
        if (abortAttempt !== null) {
          this[kAbortPendingAttempt] = null;
          abortAttempt();
          // An attempt's handle may be closing (autoSelectFamily): its
          // 'connectionAttemptFailed' comes from the engine first.
          setImmediate(emitCloseEvent, this, isException);
        } else {
          // connect() was called but no attempt is in flight yet (DNS): node
          // closes its idle handle, whose callback runs in the loop's close phase.
          inClosePhase(() => emitCloseEvent(this, isException));
        }
      }
      cb(exception);
    } else {
      cb(exception);
      process.nextTick(emitCloseNT, this);
    }
    if (this._server) {
      this._server._connections--;
      if (this._server._emitCloseIfDrained) this._server._emitCloseIfDrained();
    }
  }

  // ---- timers ----------------------------------------------------------------

  setTimeout(msecs: number, callback?: () => void): this {
    if (this.destroyed) return this;
    this.timeout = msecs;
    const duration = getTimerDuration(msecs, 'msecs');
    if (this[kTimeout]) clearTimeout(this[kTimeout]);
    if (duration === 0) {
      if (callback !== undefined) {
        validateFunction(callback, 'callback');
        this.removeListener('timeout', callback);
      }
    } else {
      this[kTimeout] = setTimeout(onIdleTimer, duration, this).unref();
      if (callback !== undefined) {
        validateFunction(callback, 'callback');
        this.once('timeout', callback);
      }
    }
    return this;
  }

  _onTimeout(): void {
    const last = this[kLastWriteQueueSize];
    if (last > 0 && this[kHandle]) {
      // A write still making progress suppresses the timeout.
      const queued = getEngine().queuedBytes(this[kHandle]);
      if (last !== queued) {
        this[kLastWriteQueueSize] = queued;
        this._unrefTimer();
        return;
      }
    }
    this.emit('timeout');
  }

  /** Refreshes the idle timers of this socket and its parents (node's name). */
  _unrefTimer(): void {
    for (let s: any = this; s !== null && s !== undefined; s = s._parent) {
      if (s[kTimeout]) s[kTimeout].refresh();
    }
  }

  [kUpdateTimer](): void {
    this._unrefTimer();
  }

  // ---- options -------------------------------------------------------------

  setNoDelay(enable?: boolean): this {
    const on = Boolean(enable === undefined ? true : enable);
    if (!this[kHandle] || this.connecting) {
      this[kSetNoDelay] = on;
      return this;
    }
    if (on !== this[kSetNoDelay]) {
      this[kSetNoDelay] = on;
      getEngine().setNoDelay(this[kHandle], on);
    }
    return this;
  }

  /** (enable, initialDelay) as in node 20; node 24.19's interval, count and options-object forms where the running node has them. */
  setKeepAlive(enable?: boolean | KeepAliveOptions, initialDelayMsecs?: number, intervalMsecs?: number, count?: number): this {
    return setKeepAlive(this, enable, initialDelayMsecs, intervalMsecs, count) as this;
  }

  /** node 24.15 (present where the running node has it): IP_TOS / IPV6_TCLASS. */
  declare setTypeOfService: (tos: number) => this;
  declare getTypeOfService: () => number;
  /** node 22.13: the constructor's blockList option, checked before each connect attempt. */
  declare blockList?: import('net').BlockList;

  ref(): this {
    if (!this[kHasHandle]) {
      this.once('connect', this.ref);
      return this;
    }
    this[kUnref] = false;
    if (this[kHandle]) getEngine().ref(this[kHandle]);
    return this;
  }

  unref(): this {
    if (!this[kHasHandle]) {
      this.once('connect', this.unref);
      return this;
    }
    this[kUnref] = true;
    if (this[kHandle]) getEngine().unref(this[kHandle]);
    return this;
  }

  // ---- addresses and state ---------------------------------------------------

  address(): nodeNet.AddressInfo | {} {
    return this._getsockname();
  }

  _getsockname(): Partial<nodeNet.AddressInfo> {
    if (this[kIsPipe]) return {};
    if (!this[kHandle]) {
      // From connect() on, node's handle exists but has no socket until the
      // attempt starts: getsockname fails, and that empty answer is kept.
      return this[kHasHandle] ? (this._sockname ??= {}) : {};
    }
    if (!this._sockname) {
      this._sockname = {};
      getEngine().sockname(this[kHandle], this._sockname);
    }
    return this._sockname;
  }

  _getpeername(): Partial<nodeNet.AddressInfo> {
    if (!this[kHandle] || this.connecting || this[kIsPipe]) return this._peername || {};
    if (!this._peername) {
      const out: Partial<nodeNet.AddressInfo> = {};
      const err = getEngine().peername(this[kHandle], out);
      if (err) return out;
      this._peername = out;
    }
    return this._peername;
  }

  get remoteAddress(): string | undefined { return this._getpeername().address; }
  get remoteFamily(): string | undefined { return this._getpeername().family; }
  get remotePort(): number | undefined { return this._getpeername().port; }
  get localAddress(): string | undefined { return this._getsockname().address; }
  get localPort(): number | undefined { return this._getsockname().port; }
  get localFamily(): string | undefined { return this._getsockname().family; }

  get bytesRead(): number { return this[kBytesRead]; }
  get _bytesDispatched(): number { return this[kBytesWritten]; }

  get bytesWritten(): number {
    let bytes = this[kBytesWritten];
    const data = this._pendingData;
    const encoding = this._pendingEncoding as BufferEncoding;
    const writableBuffer = (this as any).writableBuffer;
    if (!writableBuffer) return undefined as unknown as number;
    for (const el of writableBuffer as WritevChunk[]) {
      bytes += el.chunk instanceof Buffer ? el.chunk.length : Buffer.byteLength(el.chunk, el.encoding as BufferEncoding);
    }
    if (Array.isArray(data)) {
      for (let i = 0; i < data.length; i++) {
        const chunk = data[i];
        if ((data as any).allBuffers || chunk instanceof Buffer) bytes += chunk.length;
        else bytes += Buffer.byteLength(chunk.chunk, chunk.encoding);
      }
    } else if (data) {
      if (typeof data !== 'string') bytes += data.length;
      else bytes += Buffer.byteLength(data, encoding);
    }
    return bytes;
  }

  get _connecting(): boolean { return this.connecting; }

  get pending(): boolean { return !this[kHasHandle] || this.connecting; }

  get readyState(): nodeNet.SocketReadyState {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  get bufferSize(): number {
    return this[kHasHandle] ? this.writableLength : undefined as unknown as number;
  }
}

function onIdleTimer(socket: Socket): void {
  socket._onTimeout();
}

// writableLength also counts the bytes of writes completed early that the
// engine has not handed to the kernel yet (_writeGeneric; rule 17), so
// bufferSize and writableLength never hide what the process holds. The getter
// sits on a prototype between Socket.prototype and Duplex.prototype, so the
// own members of Socket.prototype stay exactly node's.
{
  const streamWritableLength = Object.getOwnPropertyDescriptor(Duplex.prototype, 'writableLength')!.get!;
  const counting = Object.create(Duplex.prototype, {
    writableLength: {
      configurable: true,
      enumerable: false,
      get(this: Socket): number {
        const length = streamWritableLength.call(this);
        const owner = this[kOwner];
        if (owner === null || owner.committedBytes === 0) return length;
        const engine = getEngine();
        owner.committedBytes = engine.committedBytes(this[kHandle]);
        if (owner.committedBytes > 0 && length === 0 && !owner.drainOwed) {
          owner.drainOwed = true;  // see payDrain
          engine.notifyWhenCommittedSent(this[kHandle]);
        }
        return length + owner.committedBytes;
      },
    },
  });
  Object.setPrototypeOf(Socket.prototype, counting);
}

// Defaults of the rarely used slots (initSocket sets only the hot ones).
{
  const proto = Socket.prototype as any;
  proto[kAbortPendingAttempt] = null;
  proto[kIsPipe] = false;
  proto[kUnref] = false;
  proto[kShutdownCb] = null;
  proto[kShutdownScope] = null;
  proto[kNodeHandle] = null;
  proto[kLastWriteQueueSize] = 0;
  proto[kTimeout] = null;
  proto[kBuffer] = null;
  proto[kBufferCb] = null;
  proto[kBufferGen] = null;
  proto[kBufferLeftover] = null;
  proto[kHeldEof] = false;
  proto[kFlushScheduled] = false;
  proto[kSetNoDelay] = false;
  proto[kSetKeepAlive] = false;
  proto[kSetKeepAliveInitialDelay] = 0;
  proto[kHandlePhase] = HandlePhase.Connected;
  installSocketOptions(proto);
}

/** The address/port of each socket's current connect attempt (for error messages). */
const connectRequests = new WeakMap<Socket, ConnectRequest | null>();

/**
 * connect() on a socket that has a handle: node calls connect again on that
 * handle, and libuv and the kernel answer. What they answer is reproduced:
 * - a local address can no longer be bound: bind EINVAL;
 * - TCP: EALREADY while a connect is in flight; after a non-blocking connect
 *   completed, the next connect(2) succeeds ('connect' again, same
 *   connection); after that, and on accepted sockets, EISCONN. These come
 *   from connect(2) itself: synchronous errors;
 * - unix sockets (even with a port and host): the target is looked up first
 *   (ENOENT, ECONNREFUSED when it is not a socket), then EISCONN; reported
 *   through the connect callback like every pipe connect error.
 */
function connectExistingHandle(socket: Socket, address: string, port: number | undefined,
                               addressType: number | undefined, localAddress: string | undefined,
                               localPort: number | undefined): void {
  const tcp = addressType === 4 || addressType === 6;
  const phase = socket[kHandle] ? socket[kHandlePhase] : HandlePhase.Connecting;
  // The kernel binds a socket when it sends the SYN; a connect to port 0 never does.
  const inFlight = phase === HandlePhase.Connecting ? connectRequests.get(socket) : undefined;
  const bound = !(inFlight && inFlight.port === 0);
  if (tcp && (localAddress || localPort) && bound) {
    localAddress = localAddress || (addressType === 4 ? DEFAULT_IPV4_ADDR : DEFAULT_IPV6_ADDR);
    socket.destroy(new ExceptionWithHostPort(existingHandleBindError(socket, localAddress, addressType), 'bind', localAddress, localPort));
    return;
  }
  socket.emit('connectionAttempt', address, port, addressType);
  const req: ConnectRequest = tcp ? { address, port, addressType } : { address };
  let status: number;
  if (socket[kIsPipe]) {
    // libuv checks the name before the handle: a name it refuses is EINVAL
    // at once, as on a new handle.
    const nameError = pipeNameError(address);
    if (nameError) {
      socket.destroy(immediateConnectError(nameError, address, port, {}));
      return;
    }
    // Windows: libuv refuses any connect on a pipe handle that connected
    // (or tried to) before, whatever the target: ERROR_PIPE_BUSY, EBUSY.
    status = process.platform === 'win32' ? UV_EBUSY : unixConnectStatus(address);
  } else if (phase === HandlePhase.Once && process.platform !== 'win32') {
    // (Windows: libuv's ConnectEx on the connected socket fails, EISCONN, below.)
    status = 0;
    // libuv serves the connect before a shutdown queued earlier (end() in
    // the same tick), and that shutdown is never carried out: no 'finish'.
    socket[kShutdownCb] = null;
  } else {
    let err = phase === HandlePhase.Connecting || phase === HandlePhase.Reconnecting ? UV_EALREADY : UV_EISCONN;
    // Windows: libuv's ConnectEx on the socket answers from the socket's
    // state, so a connect that has completed (a loopback one at once) is
    // EISCONN even before its completion is reported.
    if (err === UV_EALREADY && process.platform === 'win32' && hasPeer(socket)) err = UV_EISCONN;
    socket.destroy(immediateConnectError(err, address, port, socket._getsockname()));
    return;
  }
  socket[kHandlePhase] = HandlePhase.Reconnecting;
  connectRequests.set(socket, req);
  setImmediate(afterConnectAttempt, socket, req, status);
}

/** Is the socket's handle (or its autoSelectFamily attempt's) connected in the kernel already? */
function hasPeer(socket: Socket): boolean {
  const handle = socket[kHandle] || socket[kAbortPendingAttempt]?.handle;
  return handle !== undefined && handle > 0 && getEngine().peername(handle, {}) === 0;
}

/** shutdown(2) makes the kernel see the connection as established: a later connect() gets EISCONN. */
function shutDown(socket: Socket): void {
  if (socket[kHandlePhase] === HandlePhase.Once) socket[kHandlePhase] = HandlePhase.Connected;
}

/**
 * Is a unix socket listening on abstract name `path`? Linux lists them in
 * /proc/net/unix ('@' for each NUL; flag __SO_ACCEPTCON for listening).
 * Where that cannot be read, yes.
 */
function abstractNameListening(path: string): boolean {
  const listed = '@' + Buffer.from(unixSocketName(path)).subarray(1, 108).toString('latin1').replace(/\0/g, '@');
  try {
    return fs.readFileSync('/proc/net/unix', 'latin1').split('\n')
      .some((line) => line.endsWith(` ${listed}`) && line.split(/\s+/)[3] === '00010000');
  } catch {
    return true;
  }
}

/**
 * What libuv's bind of an existing handle gives: an IPv6 bind first sets
 * IPV6_V6ONLY, which an IPv4 socket refuses (ENOPROTOOPT); otherwise the
 * socket is bound already, or of the other family (EINVAL).
 */
function existingHandleBindError(socket: Socket, localAddress: string, addressType: number): number {
  // Windows' libuv ignores a refused IPV6_V6ONLY; the bound socket's bind is EINVAL.
  if (process.platform === 'win32') return UV_EINVAL;
  if (addressType !== 6 || isIP(localAddress) !== 6 || socket[kIsPipe]) return UV_EINVAL;
  const local: Partial<nodeNet.AddressInfo> = {};
  getEngine().sockname(socket[kHandle], local);
  return local.family === 'IPv4' ? UV_ENOPROTOOPT : UV_EINVAL;
}

/** Completes a connect attempt that did not go to the engine, unless another one replaced it. */
function afterConnectAttempt(socket: Socket, req: ConnectRequest, status: number): void {
  if (connectRequests.get(socket) === req) socket[kAfterConnect](status);
}

/** What connect(2) on an already connected unix socket returns for `path`. */
function unixConnectStatus(path: string): number {
  if (path[0] === '\0') return abstractNameListening(path) ? UV_EISCONN : UV_ECONNREFUSED;
  try {
    return fs.statSync(unixSocketFile(path)).isSocket() ? UV_EISCONN : UV_ECONNREFUSED;
  } catch (err: any) {
    return typeof err.errno === 'number' ? err.errno : UV_EINVAL;
  }
}

/**
 * fn() where node runs a handle's close callback: the loop's close phase
 * (after this turn's setImmediate callbacks, or the next turn's close phase
 * when called from one). A setImmediate instead came a turn late when
 * called from a setImmediate callback.
 */
function inClosePhase(fn: () => void): void {
  if (getEngine().closePhase(fn) !== 0) setImmediate(fn);
}

/** _destroy's handle close: 'close' follows once the engine reports the handle closed. */
function closeHandle(socket: Socket, owner: SocketHandleOwner, handle: number, reset: boolean,
                     isException: boolean): void {
  const engine = getEngine();
  if (!reset && owner.committedBytes > 0 && engine.committedBytes(handle) > 0) {
    // The engine delivers the writes it completed early before it closes
    // (CloseMode.Abort keeps committed writes); as node's 'close' does not
    // wait for the kernel to send, ours does not wait for that either.
    owner.closeState = CloseState.Done;
    engine.close(handle, CloseMode.Abort);
    inClosePhase(() => emitCloseEvent(socket, isException));
    return;
  }
  owner.closeState = isException ? CloseState.EmitHadError : CloseState.EmitClean;
  const err = engine.close(handle, reset ? CloseMode.Reset : CloseMode.Abort);
  if (err) {
    if (reset) socket.emit('error', new ErrnoException(err, 'reset'));
    // (Re-read: the 'error' listeners above ran in between.)
    if ((owner.closeState as CloseState) !== CloseState.Done) {
      owner.closeState = CloseState.Done;
      process.nextTick(emitCloseEvent, socket, isException);
    }
  }
}

/**
 * Hands a write to _writeGeneric, with what node's handle does to a string
 * given with the 'buffer' encoding (Writable allows it when decodeStrings is
 * off): a single write throws "Second argument must be a buffer" (and never
 * completes); in a batch it is written as UTF-8. Checked when the write
 * reaches the handle (not while connecting, nor without a handle).
 */
function dispatchWrite(socket: Socket, writev: boolean, data: any, encoding: string, cb: WriteCb): void {
  if (!socket.connecting && socket[kHandle]) {
    if (!writev && encoding === 'buffer' && typeof data === 'string') {
      // node's _writeGeneric has forgotten a write queued while connecting by then.
      socket._pendingData = null;
      socket._pendingEncoding = '';
      throw Object.assign(new TypeError('Second argument must be a buffer'), { code: 'ERR_INVALID_ARG_TYPE' });
    }
    if (writev && !data.allBuffers && data.some((e: WritevChunk) => e.encoding === 'buffer' && typeof e.chunk === 'string')) {
      data = data.map((e: WritevChunk) => (e.encoding === 'buffer' && typeof e.chunk === 'string' ? { chunk: e.chunk, encoding: 'utf8' } : e));
    }
  }
  socket._writeGeneric(writev, data, encoding, cb);
}

// A write made while connecting waits for 'connect'. Kept out of
// _writeGeneric: a closure there holding `data` would keep every written
// Buffer alive until its write completes (V8 shares one context among a
// function's closures), so received Buffers echoed back would outlive young
// garbage collections.
function writeAfterConnect(socket: Socket, writev: boolean, data: any, encoding: string, cb: WriteCb): void {
  socket._pendingData = data;
  socket._pendingEncoding = encoding;
  const onClose = () => cb(new ERR_SOCKET_CLOSED_BEFORE_CONNECTION());
  socket.once('connect', function(this: Socket) {
    this.off('close', onClose);
    dispatchWrite(this, writev, data, encoding, cb);
  });
  socket.once('close', onClose);
}

/**
 * writableLength counts committed bytes (see the getter below), so a caller
 * may see it above 0 while write() returned true and wait for 'drain' —
 * which the stream itself would never emit, since its own queue is empty.
 * Once those bytes reach the kernel, such a caller gets its 'drain'.
 */
function noop(): void {}

function destroyWithWriteError(socket: Socket, status: number): void {
  socket.destroy(new ErrnoException(status, 'write'));
}

function payDrain(socket: Socket, owner: SocketHandleOwner): void {
  owner.drainOwed = false;
  const state = (socket as any)._writableState;
  if (state.length === 0 && !state.needDrain && !socket.destroyed) process.nextTick(emitDrain, socket);
}

function emitDrain(socket: Socket): void {
  if (!socket.destroyed) socket.emit('drain');
}

function afterWrite(socket: Socket, status: number, cb: WriteCb): void {
  // node 20 swallows the error of a write that completes after destroy();
  // node 22 reports it (ECANCELED for a write the close cancelled).
  if (socket.destroyed && !features.writeErrorAfterDestroy) {
    cb(null);
    return;
  }
  // libuv cancels every write still pending when the handle closes: a
  // write that fails after destroy() is one node reports as ECANCELED.
  if (status < 0 && socket.destroyed) status = UV_ECANCELED;
  if (status < 0) {
    cb(new ErrnoException(status, 'write'));
    return;
  }
  if (socket.destroyed) {
    cb(null);
    return;
  }
  socket._unrefTimer();
  if (socket[kLastWriteQueueSize] !== 0) socket[kLastWriteQueueSize] = 0;
  cb(null);
}

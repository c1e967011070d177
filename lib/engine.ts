// The per-thread engine as the net layer (socket.ts, server.ts, lookup.ts)
// sees it: the addon's engine object (src/engine_methods.cc; one per Node
// environment, main thread or worker), plus the owners its events go to.
//
// - Handles are numbers (slot+generation ids, native/backend.h); a closed
//   handle's number never reaches another owner.
// - Calls return 0 or a negative libuv errno (node's err.errno;
//   util.getSystemErrorName(errno) gives the code). They throw TypeError only
//   for programming errors.
// - Events arrive in batches, one JS call per batch (one Drain of the
//   engine), and go to the HandleOwner registered for their handle. Every
//   owner gets exactly one onClose(), always last.
// - The numbers shared with C++ (event kinds, close modes, the record
//   layout, writev's results) come from the addon (binding.constants).

import * as path from 'node:path';

export interface HandleOwner {
  /** Listener: a connection was accepted (peer handle, not reading yet), or accept failed (status < 0, peer 0). */
  onConnection?(status: number, peer: number): void;
  /** Client: connect finished (0 or errno; syscall 'connect'). */
  onConnect?(status: number): void;
  /** Bytes received; `data` is a fresh Buffer the owner may keep. */
  onData?(data: Buffer): void;
  /** Peer sent FIN. */
  onEnd?(): void;
  /** Receive failed (syscall 'read'), e.g. ECONNRESET. Reading has stopped. */
  onReadError?(status: number): void;
  /** Shutdown finished after all earlier writes (syscall 'shutdown'). */
  onShutdown?(status: number): void;
  /** A committed write failed (its callback was called already: see writev). */
  onWriteError?(status: number): void;
  /** Every committed byte is in the kernel (after notifyWhenCommittedSent). */
  onSent?(): void;
  /** Nothing received or sent for the handle's idle timeout (setIdleTimeout); once per idle period. */
  onIdle?(): void;
  /** The handle is closed; its number is dead. Always the last event. */
  onClose?(): void;
}

export interface AddressInfo {
  address: string;
  family: string; // 'IPv4' | 'IPv6'
  port: number;
}

/** Write completion: status 0 or errno (syscall 'write'); called exactly once per accepted write. */
export type WriteCallback = (status: number) => void;

type Chunk = Buffer | Uint8Array | string;

/** The addon's engine object: every engine call, declared once. */
interface NativeEngine {
  /** The backend this engine runs on: 'uring', 'epoll' or 'iocp'. */
  readonly backend: string;
  /** socket+bind+listen synchronously. Returns handle (> 0) or errno (< 0). */
  listenTcp(ip: string, port: number, backlog: number, ipv6Only: boolean, reusePort?: boolean): number;
  listenPipe(path: string, backlog: number): number;
  /** socket [+bind(localIp, localPort)] synchronously: handle (> 0) or errno (< 0, syscall 'bind');
   *  then connect; the result arrives as onConnect. */
  connectTcp(ip: string, port: number, localIp?: string, localPort?: number): number;
  connectPipe(path: string): number;
  /** An existing socket descriptor (listening: it accepts; connected: a stream, not reading yet) becomes a
   *  handle that owns it (`duplicate`: owns a dup of it, the caller keeps fd): handle (> 0) or errno (< 0:
   *  ENOTSOCK, EINVAL, EBADF; ENOTSUP on Windows), the fd then still the caller's. `listenBacklog` > 0: a
   *  socket neither listening nor connected is made to listen (else EINVAL); listen(2)'s errno as is. Negative:
   *  only a connected socket is taken (a listening one is EINVAL). */
  openFd(fd: number, duplicate?: boolean, listenBacklog?: number): number;
  readStart(handle: number): number;
  readStop(handle: number): number;
  /** One gathered send. Returns constants.writtenNow (the kernel took it all at once: cb is never called),
   *  0 (queued: cb called later exactly once) or errno (cb never called). Buffers may be kept (pinned)
   *  until cb; strings are encoded with their encoding (default utf8). `committed` (only for chunks the
   *  engine copies): the caller reports the write done now, so an abort close still delivers it (keep such
   *  writes a small prefix of the queue); cb is then never called: a failure reaches the owner's
   *  onWriteError. */
  writev(handle: number, chunks: ReadonlyArray<Chunk> | Chunk, encodings: ReadonlyArray<BufferEncoding> | BufferEncoding | null,
    cb: WriteCallback, committed?: boolean): number;
  shutdown(handle: number): number;
  close(handle: number, mode: number): number;
  setNoDelay(handle: number, enable: boolean): number;
  /** libuv's uv_tcp_keepalive_ex; intervalSecs defaults to 1 and count to 10 (node's values before 24.19). */
  setKeepAlive(handle: number, enable: boolean, initialDelaySecs: number, intervalSecs?: number, count?: number): number;
  /** IP_TOS, or IPV6_TCLASS on an IPv6 socket. */
  setTypeOfService(handle: number, tos: number): number;
  /** The TOS byte (>= 0) or errno (< 0). */
  getTypeOfService(handle: number): number;
  /** TCP_USER_TIMEOUT in ms (0: the system's). */
  setUserTimeout(handle: number, timeoutMs: number): number;
  /** The idle reaper (0: off): a stream's owner gets onIdle() once nothing was received or sent for timeoutMs;
   *  on a listener, every connection it accepts from now on gets this timeout. No timer per handle. */
  setIdleTimeout(handle: number, timeoutMs: number): number;
  /** Fills `out` and returns 0, or returns errno. */
  sockname(handle: number, out: Partial<AddressInfo>): number;
  peername(handle: number, out: Partial<AddressInfo>): number;
  ref(handle: number): number;
  unref(handle: number): number;
  /** Bytes accepted by writev() and not yet handed to the kernel. */
  queuedBytes(handle: number): number;
  /** Bytes of committed writes not yet handed to the kernel. */
  committedBytes(handle: number): number;
  /** The owner's onSent() follows once committedBytes() is 0 (at once if it is). */
  notifyWhenCommittedSent(handle: number): number;
  /** Writes accepted and not completed yet (their callbacks and pinned Buffers are held). */
  stats(): { pendingWrites: number };
  /** fn() in the loop's close phase, where node's handle close callbacks run (src/close_phase.h); 0 or an errno. */
  closePhase(fn: () => void): number;
}

/** The numbers shared with the C++ side (src/addon.cc Constants). */
interface Constants {
  eventKind: { connection: number; connect: number; data: number; end: number; readError: number;
    written: number; shutdown: number; closed: number; sent: number; idle: number };
  closeMode: { graceful: number; abort: number; reset: number };
  /** Doubles per event record: [kind, handle, status, aux, offset, size] (src/event_batch.h). */
  recordFields: number;
  writtenNow: number;
  /** writev() copies chunks smaller than this (the caller may reuse them at once); larger ones are pinned until cb. */
  copyLimit: number;
}

/** Options of the native engine (native/backend.h BackendOptions). */
export interface EngineOptions {
  backend?: string; // '', 'uring', 'epoll', 'iocp' ('' = the best that works here)
  readBufferSize?: number;
  closeTimeoutMs?: number;
  uring?: { ringEntries?: number; recvBufferCount?: number; provideBuffers?: boolean };
  epoll?: { eventsPerWait?: number };
  iocp?: { ioThreads?: number };
}

/** Diagnostics of this thread's engine (tests, leak checks). */
export interface EngineStats {
  /** Writes accepted and not completed yet (their callbacks and pinned Buffers are held). */
  pendingWrites: number;
  /** Handles with a registered owner (dropped at their onClose). */
  owners: number;
}

/** What the net layer uses: every NativeEngine call, the owners, the shared numbers. */
export interface Engine extends NativeEngine {
  readonly copyLimit: number;
  readonly writtenNow: number;
  /** Register the owner of a handle returned by listen/connect/onConnection. */
  setOwner(handle: number, owner: HandleOwner): void;
  stats(): EngineStats & { pendingWrites: number };
}

/** A batch's received bytes: the small reads' staging ArrayBuffer alone, or an Array with it (or a hole)
 *  at index 0 and the reads with Buffers of their own after it (src/receive_buffers.h). */
type Received = ArrayBuffer | Array<ArrayBuffer | Buffer>;
type BatchFn = (records: Float64Array, count: number, buffers: Received | undefined, callbacks: WriteCallback[] | undefined) => void;

interface Binding {
  open(onBatch: BatchFn, options?: EngineOptions): NativeEngine & { [kJsEngine]?: Engine };
  constants: Constants;
}

// Where this thread's engine is kept on the native object: a second copy of
// this module in the same thread finds and shares it.
const kJsEngine = Symbol.for('iocp-net.engine');

// String encodings the addon writes itself; strings in any other encoding are
// turned into Buffers here (Buffer.from throws ERR_UNKNOWN_ENCODING for bad ones).
const NATIVE_ENCODINGS = new Set(['utf8', 'utf-8', 'latin1', 'binary', 'ascii', 'ucs2', 'ucs-2', 'utf16le', 'utf-16le']);

let binding: Binding | undefined;

function loadBinding(): Binding {
  if (binding === undefined) {
    const root = path.join(__dirname, '..');
    // IOCP_NET_ADDON names another build of the addon (CI runs the tap suite
    // on one built with AddressSanitizer: scripts/build-asan-addon.js).
    const override = process.env.IOCP_NET_ADDON;
    if (override) return (binding = require(path.resolve(override)) as Binding);
    // The addon `npm install` built; node-gyp-build (which also finds
    // prebuilt binaries) only when it is not there: loading that module alone
    // costs ~0.6 MiB of RSS.
    try {
      binding = require(path.join(root, 'build', 'Release', 'iocp_net.node')) as Binding;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      binding = (require('node-gyp-build') as (dir: string) => Binding)(root);
    }
  }
  return binding;
}

/** How a handle is closed (native/backend.h CloseMode); the numbers come from the addon, loaded on first use. */
export const CloseMode = {
  /** finish queued writes, FIN, close */
  get Graceful(): number { return loadBinding().constants.closeMode.graceful; },
  /** like uv_close: writes not yet in the kernel fail (committed ones are still sent) */
  get Abort(): number { return loadBinding().constants.closeMode.abort; },
  /** SO_LINGER {1,0}: RST */
  get Reset(): number { return loadBinding().constants.closeMode.reset; },
};

/** The environment, read in one place: IOCP_NET_BACKEND=uring|epoll|iocp picks the backend. */
function optionsFromEnvironment(): EngineOptions {
  const name = process.env.IOCP_NET_BACKEND;
  return name ? { backend: name } : {};
}

/**
 * The bytes of one received chunk: a read of its own is its Buffer as made by
 * the addon; a small read is copied out of the staging ArrayBuffer (reused by
 * the next batch) into a Buffer from node's pool, as Buffer.from makes it.
 */
function receivedBytes(received: Received, index: number, offset: number, size: number): Buffer {
  if (index === 0) return Buffer.from(new Uint8Array(Array.isArray(received) ? received[0] as ArrayBuffer : received, offset, size));
  const buffer = (received as Buffer[])[index];
  if (offset === 0 && size === buffer.length) return buffer;
  return Buffer.from(buffer.buffer, buffer.byteOffset + offset, size);
}

/** Strings in encodings the addon does not write itself become Buffers. */
function convertEncodings(chunks: ReadonlyArray<Chunk> | Chunk, encodings: ReadonlyArray<BufferEncoding> | BufferEncoding | null): ReadonlyArray<Chunk> | Chunk {
  if (encodings === null || encodings === undefined) return chunks;
  if (!Array.isArray(chunks)) {
    // One chunk and its encoding.
    const encoding = encodings as BufferEncoding;
    if (typeof chunks !== 'string' || NATIVE_ENCODINGS.has(encoding) || NATIVE_ENCODINGS.has(encoding.toLowerCase())) return chunks;
    return Buffer.from(chunks, encoding);
  }
  encodings = encodings as ReadonlyArray<BufferEncoding>;
  let converted: Chunk[] | undefined;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    const encoding = encodings[i];
    if (typeof chunk === 'string' && encoding && !NATIVE_ENCODINGS.has(encoding)) {
      if (NATIVE_ENCODINGS.has(encoding.toLowerCase())) continue; // the addon ignores case too
      if (converted === undefined) converted = chunks.slice();
      converted[i] = Buffer.from(chunk, encoding);
    }
  }
  return converted ?? chunks;
}

/**
 * This thread's engine: the native object's calls as they are (copied onto
 * it), with writev() and close() wrapped, and the dispatch of event batches
 * to the handles' owners.
 */
function createEngine(native: NativeEngine, constants: Constants): Engine {
  const owners = new Map<number, HandleOwner>();
  // Handles close()d and not yet onClose'd: like uv_close, close() ends the
  // handle's read side at once, even for events already drained in the batch
  // being dispatched (onData, onEnd, onReadError, onConnection are dropped;
  // onConnect, onShutdown, write callbacks and onClose still come).
  const closing = new Set<number>();
  const K = constants.eventKind;
  const fields = constants.recordFields;
  const abort = constants.closeMode.abort;
  const { writev, close, stats } = native;

  function deliver(records: Float64Array, base: number, buffers: Received | undefined, callbacks: WriteCallback[] | undefined): void {
    const kind = records[base];
    const handle = records[base + 1];
    const status = records[base + 2];
    const owner = owners.get(handle);
    const isClosing = closing.size !== 0 && closing.has(handle);
    switch (kind) {
      case K.connection: {
        const peer = records[base + 3];
        if (owner?.onConnection && !isClosing) owner.onConnection(status, peer);
        else if (peer > 0) close(peer, abort); // nobody to take it: do not leak it
        break;
      }
      case K.connect:
        owner?.onConnect?.(status);
        break;
      case K.data:
        if (owner?.onData && !isClosing) owner.onData(receivedBytes(buffers!, records[base + 3], records[base + 4], records[base + 5]));
        break;
      case K.end:
        if (!isClosing) owner?.onEnd?.();
        break;
      case K.readError:
        if (!isClosing) owner?.onReadError?.(status);
        break;
      case K.written: {
        const index = records[base + 3];
        if (index >= 0) callbacks![index](status);
        else if (!isClosing) owner?.onWriteError?.(status);
        break;
      }
      case K.sent:
        owner?.onSent?.();
        break;
      case K.idle:
        if (!isClosing) owner?.onIdle?.();
        break;
      case K.shutdown:
        owner?.onShutdown?.(status);
        break;
      case K.closed:
        owners.delete(handle);
        closing.delete(handle);
        owner?.onClose?.();
        break;
    }
  }

  const engine: Engine = Object.assign(Object.create(null), native, {
    copyLimit: constants.copyLimit,
    writtenNow: constants.writtenNow,
    setOwner(handle: number, owner: HandleOwner): void {
      owners.set(handle, owner);
    },
    writev(handle: number, chunks: ReadonlyArray<Chunk> | Chunk, encodings: ReadonlyArray<BufferEncoding> | BufferEncoding | null, cb: WriteCallback, committed = false): number {
      return writev(handle, convertEncodings(chunks, encodings), encodings, cb, committed);
    },
    close(handle: number, mode: number): number {
      const rc = close(handle, mode);
      if (rc === 0) closing.add(handle);
      return rc;
    },
    stats(): EngineStats {
      return { pendingWrites: stats().pendingWrites, owners: owners.size };
    },
    /**
     * One batch of events, in completion order. Every event is delivered even
     * if a listener throws; the first exception is rethrown once the batch is
     * done (the addon then reports it like any I/O callback exception), later
     * ones on the next tick. Between two events the nextTick queue and the
     * microtasks run, as after each of node's own I/O callbacks (the last
     * event's run when the batch's MakeCallback ends): a socket's handler sees
     * what the previous socket's ticks and promises did, and a reply node's
     * http writes from a tick (its uncork) is queued before the next request
     * is parsed.
     */
    dispatch(records: Float64Array, count: number, buffers: Received | undefined, callbacks: WriteCallback[] | undefined): void {
      let failed = false;
      let firstError: unknown;
      for (let i = 0, base = 0; i < count; i++, base += fields) {
        try {
          deliver(records, base, buffers, callbacks);
          if (i + 1 < count) runNextTicks();
        } catch (err) {
          if (!failed) {
            failed = true;
            firstError = err;
          } else {
            process.nextTick(() => {
              throw err;
            });
          }
        }
      }
      if (failed) throw firstError;
    },
  });
  return engine;
}

/**
 * What node runs when an I/O callback's scope closes (InternalCallbackScope):
 * the nextTick queue, then the microtasks. process._tickCallback is that
 * function (runNextTicks) in Node 20, 22 and 24; without it a batch runs them
 * once, at its end.
 */
const runNextTicks: () => void =
  typeof (process as unknown as { _tickCallback?: unknown })._tickCallback === 'function'
    ? (process as unknown as { _tickCallback: () => void })._tickCallback
    : () => {};

const debug = require('node:util').debuglog('iocp-net') as (message: string) => void;

/**
 * Stands in for an engine that could not start (no backend works here, or
 * the one IOCP_NET_BACKEND asks for does not): listen and connect return its
 * errno, so the server or socket reports it the way node:net reports a failed
 * listen or connect ('error' with code, errno, syscall); every other call
 * finds no handle. getEngine() tries to start an engine again next time.
 */
function unavailableEngine(errno: number, constants: Constants): Engine {
  const fail = () => errno;
  const badHandle = () => -9; // UV_EBADF: no handle can exist
  return {
    backend: 'none', copyLimit: constants.copyLimit, writtenNow: constants.writtenNow,
    listenTcp: fail, listenPipe: fail, connectTcp: fail, connectPipe: fail, openFd: fail,
    readStart: badHandle, readStop: badHandle, writev: badHandle, shutdown: badHandle, close: badHandle,
    setNoDelay: badHandle, setKeepAlive: badHandle, setTypeOfService: badHandle, getTypeOfService: badHandle,
    setUserTimeout: badHandle, setIdleTimeout: badHandle, sockname: badHandle, peername: badHandle,
    ref: badHandle, unref: badHandle, queuedBytes: () => 0, committedBytes: () => 0, notifyWhenCommittedSent: badHandle,
    setOwner() {}, stats: () => ({ pendingWrites: 0, owners: 0 }), closePhase: badHandle,
  };
}

let engine: Engine | undefined;

/**
 * This thread's engine, created on first use (options apply to that first
 * call only; without them the environment's). When no backend can start, a
 * stand-in whose listen/connect fail with the reason's errno (see
 * unavailableEngine); NODE_DEBUG=iocp-net prints the reason, and the backend
 * picked.
 */
export function getEngine(options?: EngineOptions): Engine {
  if (engine !== undefined) return engine;
  const addon = loadBinding();
  let created: Engine | undefined;
  let native: ReturnType<Binding['open']>;
  try {
    native = addon.open(
      (records, count, buffers, callbacks) => (created as Engine & { dispatch: BatchFn }).dispatch(records, count, buffers, callbacks),
      options ?? optionsFromEnvironment(),
    );
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno;
    if (typeof errno !== 'number') throw err;
    debug(`no engine: ${(err as Error).message}`);
    return unavailableEngine(errno, addon.constants);
  }
  // Another copy of this module in this thread may have opened it first.
  created = native[kJsEngine] ?? createEngine(native, addon.constants);
  native[kJsEngine] = created;
  engine = created;
  debug(`engine started on the ${engine.backend} backend`);
  return engine;
}

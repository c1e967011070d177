// CONTRACT (to be implemented by the bridge work): the per-thread engine as the
// net layer (socket.ts, server.ts) sees it. The net layer uses only what is
// declared here; the bridge (src/) and this file implement it.
//
// - One Engine per thread (main thread and each worker_thread): getEngine().
// - Handles are numbers (slot+generation ids from native/backend.h); a closed
//   handle's number is never reused for a live handle of a different owner.
// - Calls return 0 or a negative libuv errno (same numbers as node's err.errno;
//   util.getSystemErrorName(errno) gives the code). They never throw for
//   errno-style failures; they throw TypeError only for programming errors.
// - Events arrive in batches from the native engine, one JS call per batch,
//   and are dispatched to the HandleOwner registered for the handle.
//   Every owner gets exactly one onClose(), always last.

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

export const enum CloseMode {
  /** finish queued writes, FIN, close */
  Graceful = 0,
  /** like uv_close: queued (not yet in kernel) writes fail with ECANCELED */
  Abort = 1,
  /** SO_LINGER {1,0}: RST */
  Reset = 2,
}

export interface Engine {
  readonly backend: string; // 'uring' | 'epoll' | 'iocp'
  /** writev() copies Buffers smaller than this (the caller may reuse them at once); larger ones are pinned until cb. */
  readonly copyLimit: number;

  /** Register the owner of a handle returned by listen/connect/onConnection. */
  setOwner(handle: number, owner: HandleOwner): void;

  /** socket+bind+listen synchronously. Returns handle (> 0) or errno (< 0). */
  listenTcp(ip: string, port: number, backlog: number, ipv6Only: boolean): number;
  listenPipe(path: string, backlog: number): number;

  /** socket [+bind(localIp, localPort)] synchronously: handle (> 0) or errno (< 0, syscall 'bind');
   *  then connect; the result arrives as onConnect. */
  connectTcp(ip: string, port: number, localIp?: string, localPort?: number): number;
  connectPipe(path: string): number;

  readStart(handle: number): number;
  readStop(handle: number): number;
  /** One gathered send. Returns WRITTEN_NOW (a large write the kernel took at once: cb is never called),
   *  0 (queued: cb called later exactly once) or errno (cb never called).
   *  Buffers may be kept (pinned) until cb; strings are encoded with `encoding` (default utf8).
   *  `committed`: the caller reports the write done now, so a CloseMode.Abort close still delivers it
   *  (keep such writes a small prefix of the queue). */
  writev(handle: number, chunks: ReadonlyArray<Buffer | Uint8Array | string>, encodings: ReadonlyArray<BufferEncoding> | null, cb: WriteCallback, committed?: boolean): number;
  shutdown(handle: number): number;
  close(handle: number, mode: CloseMode): number;

  setNoDelay(handle: number, enable: boolean): number;
  setKeepAlive(handle: number, enable: boolean, initialDelaySecs: number): number;
  /** Fills `out` and returns 0, or returns errno. */
  sockname(handle: number, out: Partial<AddressInfo>): number;
  peername(handle: number, out: Partial<AddressInfo>): number;
  ref(handle: number): void;
  unref(handle: number): void;
  /** Bytes accepted by writev() and not yet handed to the kernel. */
  queuedBytes(handle: number): number;
}

// ---------------------------------------------------------------------------
// Implementation: the binding (src/) and the per-thread dispatcher.


/** Event kinds in a batch record: native/backend.h EventKind. */
export const enum EventKind {
  Connection = 1,
  Connect = 2,
  Data = 3,
  End = 4,
  ReadError = 5,
  Written = 6,
  Shutdown = 7,
  Closed = 8,
}

/** Doubles per event record: [kind, handle, status, aux, offset, size] (src/event_batch.h). */
export const RECORD_FIELDS = 6;

/** writev(): every byte went to the kernel before it returned (no callback follows). */
export const WRITTEN_NOW = 1;

/** Options of the native engine (native/backend.h BackendOptions). */
export interface EngineOptions {
  backend?: string; // '', 'uring', 'epoll', 'iocp' ('' = best available)
  ringEntries?: number;
  recvBufferSize?: number;
  recvBufferCount?: number;
  maxBuffersPerSocket?: number;
  closeTimeoutMs?: number;
}

type Chunk = Buffer | Uint8Array | string;

/** Diagnostics of this thread's engine (tests, leak checks). */
export interface EngineStats {
  /** Writes accepted and not completed yet (their callbacks and pinned Buffers are held). */
  pendingWrites: number;
  /** Handles with a registered owner (dropped at their onClose). */
  owners: number;
}

/** The object made by the addon's open(): one per Node environment. */
interface NativeEngine {
  readonly backend: string;
  listenTcp(ip: string, port: number, backlog: number, ipv6Only: boolean): number;
  listenPipe(path: string, backlog: number): number;
  connectTcp(ip: string, port: number, localIp?: string, localPort?: number): number;
  connectPipe(path: string): number;
  readStart(handle: number): number;
  readStop(handle: number): number;
  writev(handle: number, chunks: ReadonlyArray<Chunk>, encodings: ReadonlyArray<string | undefined> | null, cb: WriteCallback, committed: boolean): number;
  shutdown(handle: number): number;
  close(handle: number, mode: number): number;
  setNoDelay(handle: number, enable: boolean): number;
  setKeepAlive(handle: number, enable: boolean, initialDelaySecs: number): number;
  sockname(handle: number, out: object): number;
  peername(handle: number, out: object): number;
  ref(handle: number): number;
  unref(handle: number): number;
  queuedBytes(handle: number): number;
  stats(): { pendingWrites: number };
  [kJsEngine]?: EngineImpl;
}

type BatchFn = (records: Float64Array, count: number, buffers: Buffer[] | undefined, callbacks: WriteCallback[] | undefined) => void;

interface Binding {
  open(onBatch: BatchFn, options?: EngineOptions): NativeEngine;
  copyLimit: number;
}

// Where this thread's JS engine is kept on the native object: a second copy
// of this module in the same thread finds and shares it.
const kJsEngine = Symbol.for('iocp-net.engine');

// String encodings the addon writes itself; strings in any other encoding are
// turned into Buffers here (Buffer.from throws ERR_UNKNOWN_ENCODING for bad ones).
const NATIVE_ENCODINGS = new Set(['utf8', 'utf-8', 'latin1', 'binary', 'ascii', 'ucs2', 'ucs-2', 'utf16le', 'utf-16le']);

let binding: Binding | undefined;

/**
 * The bytes of one received chunk: a read of its own is its Buffer as made by
 * the addon; small reads of a batch share one Buffer and get a view of it.
 */
function receivedBytes(buffers: Buffer[], index: number, offset: number, size: number): Buffer {
  const buffer = buffers[index];
  if (offset === 0 && size === buffer.length) return buffer;
  return Buffer.from(buffer.buffer, buffer.byteOffset + offset, size);
}

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

function backendOptionsFromEnv(): EngineOptions {
  const name = process.env.IOCP_NET_BACKEND;
  return name ? { backend: name } : {};
}

class EngineImpl implements Engine {
  readonly backend: string;
  readonly copyLimit = loadBinding().copyLimit;
  private readonly owners = new Map<number, HandleOwner>();
  // Handles close()d and not yet onClose'd: like uv_close, close() ends the
  // handle's read side at once, even for events already drained in the batch
  // being dispatched (onData, onEnd, onReadError, onConnection are dropped;
  // onConnect, onShutdown, write callbacks and onClose still come).
  private readonly closing = new Set<number>();
  private readonly native: NativeEngine;

  constructor(native: NativeEngine) {
    this.native = native;
    this.backend = native.backend;
  }

  setOwner(handle: number, owner: HandleOwner): void {
    this.owners.set(handle, owner);
  }

  listenTcp(ip: string, port: number, backlog: number, ipv6Only: boolean): number {
    return this.native.listenTcp(ip, port, backlog, ipv6Only);
  }

  listenPipe(path: string, backlog: number): number {
    return this.native.listenPipe(path, backlog);
  }

  connectTcp(ip: string, port: number, localIp?: string, localPort?: number): number {
    return this.native.connectTcp(ip, port, localIp, localPort);
  }

  connectPipe(path: string): number {
    return this.native.connectPipe(path);
  }

  readStart(handle: number): number {
    return this.native.readStart(handle);
  }

  readStop(handle: number): number {
    return this.native.readStop(handle);
  }

  writev(handle: number, chunks: ReadonlyArray<Chunk>, encodings: ReadonlyArray<BufferEncoding> | null, cb: WriteCallback, committed = false): number {
    if (encodings !== null && encodings !== undefined) {
      let converted: Chunk[] | undefined;
      for (let i = 0; i < chunks.length; i++) {
        const chunk = chunks[i];
        const encoding = encodings[i];
        if (typeof chunk === 'string' && encoding && !NATIVE_ENCODINGS.has(encoding)) {
          const lower = encoding.toLowerCase();
          if (NATIVE_ENCODINGS.has(lower)) continue; // the addon ignores case too
          if (converted === undefined) converted = chunks.slice();
          converted[i] = Buffer.from(chunk, encoding);
        }
      }
      if (converted !== undefined) chunks = converted;
    }
    return this.native.writev(handle, chunks, encodings, cb, committed);
  }

  shutdown(handle: number): number {
    return this.native.shutdown(handle);
  }

  close(handle: number, mode: CloseMode): number {
    const rc = this.native.close(handle, mode);
    if (rc === 0) this.closing.add(handle);
    return rc;
  }

  setNoDelay(handle: number, enable: boolean): number {
    return this.native.setNoDelay(handle, enable);
  }

  setKeepAlive(handle: number, enable: boolean, initialDelaySecs: number): number {
    return this.native.setKeepAlive(handle, enable, initialDelaySecs);
  }

  sockname(handle: number, out: Partial<AddressInfo>): number {
    return this.native.sockname(handle, out);
  }

  peername(handle: number, out: Partial<AddressInfo>): number {
    return this.native.peername(handle, out);
  }

  ref(handle: number): void {
    this.native.ref(handle);
  }

  unref(handle: number): void {
    this.native.unref(handle);
  }

  queuedBytes(handle: number): number {
    return this.native.queuedBytes(handle);
  }

  stats(): EngineStats {
    return { pendingWrites: this.native.stats().pendingWrites, owners: this.owners.size };
  }

  /**
   * One batch of events, in completion order. Every event is delivered even
   * if a listener throws; the first exception is rethrown once the batch is
   * done (the addon then reports it like any I/O callback exception), later
   * ones on the next tick.
   */
  dispatch(records: Float64Array, count: number, buffers: Buffer[] | undefined, callbacks: WriteCallback[] | undefined): void {
    let failed = false;
    let firstError: unknown;
    for (let i = 0, base = 0; i < count; i++, base += RECORD_FIELDS) {
      try {
        this.deliver(records, base, buffers, callbacks);
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
  }

  private deliver(records: Float64Array, base: number, buffers: Buffer[] | undefined, callbacks: WriteCallback[] | undefined): void {
    const kind = records[base];
    const handle = records[base + 1];
    const status = records[base + 2];
    const owner = this.owners.get(handle);
    const closing = this.closing.size !== 0 && this.closing.has(handle);
    switch (kind) {
      case EventKind.Connection: {
        const peer = records[base + 3];
        if (owner?.onConnection && !closing) {
          owner.onConnection(status, peer);
        } else if (peer > 0) {
          this.native.close(peer, CloseMode.Abort); // nobody to take it: do not leak it
        }
        break;
      }
      case EventKind.Connect:
        owner?.onConnect?.(status);
        break;
      case EventKind.Data:
        if (owner?.onData && !closing) {
          owner.onData(receivedBytes(buffers!, records[base + 3], records[base + 4], records[base + 5]));
        }
        break;
      case EventKind.End:
        if (!closing) owner?.onEnd?.();
        break;
      case EventKind.ReadError:
        if (!closing) owner?.onReadError?.(status);
        break;
      case EventKind.Written:
        callbacks![records[base + 3]](status);
        break;
      case EventKind.Shutdown:
        owner?.onShutdown?.(status);
        break;
      case EventKind.Closed:
        this.owners.delete(handle);
        this.closing.delete(handle);
        owner?.onClose?.();
        break;
    }
  }
}

let engine: EngineImpl | undefined;

/** This thread's engine, created on first use (options apply to that first call only). */
export function getEngine(options?: EngineOptions): Engine & { stats(): EngineStats } {
  if (engine !== undefined) return engine;
  let created: EngineImpl | undefined;
  const native = loadBinding().open(
    (records, count, buffers, callbacks) => created!.dispatch(records, count, buffers, callbacks),
    options ?? backendOptionsFromEnv(),
  );
  // Another copy of this module in this thread may have opened it first.
  created = native[kJsEngine] ?? new EngineImpl(native);
  native[kJsEngine] = created;
  engine = created;
  return engine;
}

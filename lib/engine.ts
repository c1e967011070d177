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
  /** Queue chunks as one gathered send. Returns 0 (cb called later exactly once) or errno (cb never called).
   *  Buffers may be kept (pinned) until cb; strings are encoded with `encoding` (default utf8). */
  writev(handle: number, chunks: ReadonlyArray<Buffer | Uint8Array | string>, encodings: ReadonlyArray<BufferEncoding> | null, cb: WriteCallback): number;
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

export declare function getEngine(): Engine;

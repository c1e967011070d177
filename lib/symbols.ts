// Internal slots shared by socket.ts, server.ts and lookup.ts. Symbols, so
// they never collide with user properties and stay out of the public types.

/** Engine handle number of a socket, 0 when it has none. */
export const kHandle = Symbol('kHandle');
/** True from connect() until destroy: node has a `_handle` in that span even before DNS answers. */
export const kHasHandle = Symbol('kHasHandle');
/** Options key through which Server hands an accepted engine handle to a new Socket. */
export const kAcceptedHandle = Symbol('kAcceptedHandle');
export const kAcceptedResource = Symbol('kAcceptedResource');
/** Socket methods used by lookup.ts to run connection attempts. */
export const kInternalConnect = Symbol('kInternalConnect');
export const kAdoptHandle = Symbol('kAdoptHandle');
export const kAfterConnect = Symbol('kAfterConnect');
export const kConnectFailed = Symbol('kConnectFailed');
export const kAsyncResource = Symbol('kAsyncResource');
export const kTimeout = Symbol('kTimeout');
/** Socket options remembered before connect and applied on connect (node's kSetNoDelay...). */
export const kSetNoDelay = Symbol('kSetNoDelay');
export const kSetKeepAlive = Symbol('kSetKeepAlive');
export const kSetKeepAliveInitialDelay = Symbol('kSetKeepAliveInitialDelay');
/** Aborts the autoSelectFamily attempt in flight (set by lookup.ts while one runs). */
export const kAbortPendingAttempt = Symbol('kAbortPendingAttempt');
/** unref() was called: handles created later start unref'd. */
export const kUnref = Symbol('kUnref');
/** The handle is a unix socket / named pipe: node's Pipe handles have no getsockname/getpeername. */
export const kIsPipe = Symbol('kIsPipe');

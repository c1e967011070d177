// When a fuzz call is over: its sockets and servers are watched from their
// creation, and the call's outcome is taken once nothing can change any more
// (so that events that come asynchronously are part of it, the same on both
// implementations), then everything is closed.
import * as nodeNet from 'node:net';

/** Upper bound on waiting for a call to settle, or for its objects to close. */
const MAX_WAIT_MS = 3000;
/**
 * Some states never settle (a corked stream, a write node never completes, a
 * socket node resets without closing): with no connect attempt in flight,
 * a call whose observable state did not change for this long is settled.
 */
const QUIET_MS = 400;

export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
export const turns = async (n: number) => { for (let i = 0; i < n; i++) await turn(); };

/** Sockets and servers that emitted 'close'. */
const closedObjects = new WeakSet<object>();
/** Connect attempts in flight per socket: a 'connect' ends one, 'close' all. */
const attempts = new WeakMap<object, number>();

/** Watches `o` for 'close' and 'connect'; call it before either can come. */
export function watch<T>(o: T): T {
  const emitter = o as any;
  emitter.on?.('close', () => {
    closedObjects.add(emitter);
    attempts.delete(emitter);
  });
  emitter.on?.('connect', () => attempts.set(emitter, Math.max(0, (attempts.get(emitter) ?? 0) - 1)));
  return o;
}

export function attemptStarted(socket: object): void {
  attempts.set(socket, (attempts.get(socket) ?? 0) + 1);
}

const isServer = (o: unknown, net: any) => o instanceof net.Server || o instanceof nodeNet.Server;

/**
 * Settled for sure: a server, a socket destroyed and closed, or one with no
 * connect attempt in flight that has no write pending and no end() unfinished
 * on its connection. (A socket whose connect() threw stays "connecting" for
 * ever, as in node: attempts are counted, not read from `connecting`.)
 */
function settled(o: any, net: any): boolean {
  if (isServer(o, net)) return true;
  if (o.destroyed) return closedObjects.has(o);
  if ((attempts.get(o) ?? 0) > 0) return false;
  return o.pending || (o.writableLength === 0 && (!o.writableEnded || o.writableFinished));
}

function observable(o: any, net: any): unknown {
  return isServer(o, net) ? o.listening
    : [o.destroyed, closedObjects.has(o), o.connecting, o.writableLength, o.writableFinished, o.readyState];
}

/**
 * Resolves once every object is settled, or nothing observable (`changes`,
 * the objects' states) changed for QUIET_MS with no connect attempt in
 * flight; false if neither happened within MAX_WAIT_MS.
 */
export async function settle(objects: any[], net: any, changes: () => number): Promise<boolean> {
  const deadline = Date.now() + MAX_WAIT_MS;
  let last = '';
  let since = Date.now();
  for (;;) {
    if (objects.every((o) => settled(o, net))) return true;
    const now = Date.now();
    const state = JSON.stringify([changes(), objects.map((o) => observable(o, net))]);
    if (state !== last) {
      last = state;
      since = now;
    } else if (now - since >= QUIET_MS && objects.every((o) => !((attempts.get(o) ?? 0) > 0))) {
      return true;
    }
    if (now > deadline) return false;
    await turn();
  }
}

/**
 * Destroys sockets and closes servers; resolves when each reported 'close'
 * (true), or when no more closed for QUIET_MS (false: node leaves some open,
 * e.g. a socket reset while shutting down, a server whose connection count
 * went wrong).
 */
export async function cleanUp(objects: any[], net: any): Promise<boolean> {
  const closing = objects.map((o) => {
    if (isServer(o, net)) {
      let closed = false;
      o.once('close', () => (closed = true));
      o.close();
      return () => closed;
    }
    o.destroy();
    return () => closedObjects.has(o);
  });
  const deadline = Date.now() + MAX_WAIT_MS;
  let count = -1;
  let since = Date.now();
  for (;;) {
    const closed = closing.filter((isClosed) => isClosed()).length;
    if (closed === closing.length) break;
    if (closed !== count) {
      count = closed;
      since = Date.now();
    } else if (Date.now() - since >= QUIET_MS || Date.now() > deadline) {
      await turns(2);
      return false;
    }
    await turn();
  }
  await turns(2);
  return true;
}

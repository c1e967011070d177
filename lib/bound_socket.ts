// node 24.19's listen() first asks whether its argument (or its `handle`) is
// a net.BoundSocket, node's bound-but-not-listening socket. iocp-net cannot
// adopt one yet; it makes the same reads in the same order (a Proxy or a
// getter sees what it sees with node:net), and refuses a BoundSocket.
import { features } from './features';

/** node's BoundSocket.prototype, only if node:net is loaded (a BoundSocket can exist only then). */
function boundSocketPrototype(): object | null {
  const loaded = (process as any).moduleLoadList as string[] | undefined;
  if (!loaded || !loaded.includes('NativeModule net')) return null;
  return (require('net') as any).BoundSocket?.prototype ?? null;
}

/** `value instanceof net.BoundSocket`, walking the prototype chain as instanceof does. */
function isBoundSocket(value: unknown, target: object | null): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (proto === target) return true;
  }
  return false;
}

/** listen()'s BoundSocket check (node 24.19): the BoundSocket given (options or options.handle), or null. */
export function boundSocketOf(options: any): object | null {
  if (!features.boundSocket) return null;
  const target = boundSocketPrototype();
  if (isBoundSocket(options, target)) return options;
  const handle = options.handle;
  return isBoundSocket(handle, target) ? handle : null;
}

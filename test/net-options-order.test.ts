// Options objects are read the way node reads them: the same properties, in
// the same order, as many times. A Proxy records every access; getters that
// throw show which read comes first.
import t from 'tap';
import { features } from '../lib/features';
import { compare, listen, closeServer, delay, errorShape, pipePath, Net } from './impl';

/** A Proxy of `target` that logs every trap (get, has, ownKeys, getPrototypeOf...). */
function spied(target: object, log: string[]): any {
  const handler: ProxyHandler<object> = {};
  for (const trap of ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'set', 'defineProperty'] as const) {
    (handler as any)[trap] = (...args: any[]) => {
      log.push(args.length > 1 && trap !== 'getPrototypeOf' && trap !== 'ownKeys' ? `${trap} ${String(args[1])}` : trap);
      return (Reflect as any)[trap](...args);
    };
  }
  return new Proxy(target, handler);
}

type Call = (net: Net, options: any, port: number) => any;

/** Runs every call on a spied copy of its options; returns the accesses per call. */
async function accesses(net: Net, calls: Record<string, [object, Call]>): Promise<Record<string, string[]>> {
  const server = net.createServer((s) => s.destroy());
  const port = await listen(server);
  const out: Record<string, string[]> = {};
  for (const [label, [options, call]] of Object.entries(calls)) {
    const log: string[] = [];
    const made = call(net, spied({ ...options }, log), port);
    out[label] = log;
    made?.on?.('error', () => {});
    await delay(20);
    if (typeof made?.destroy === 'function') made.destroy();
    if (made?.listening) await closeServer(made);
  }
  await closeServer(server);
  return out;
}

compare(t, 'Socket constructor, connect() and createConnection() read options in node\'s order', async (net) => accesses(net, {
  'new Socket({})': [{}, (net, o) => new net.Socket(o)],
  'new Socket({ allowHalfOpen, signal, onread })': [
    { allowHalfOpen: true, signal: new AbortController().signal, onread: { buffer: Buffer.alloc(4), callback: () => {} } },
    (net, o) => new net.Socket(o)],
  'socket.connect({ port, host })': [{}, (net, o, port) => new net.Socket().connect(Object.assign(o, { port, host: '127.0.0.1' }))],
  'connect({ port, host, timeout })': [{ timeout: 1000 }, (net, o, port) => net.connect(Object.assign(o, { port, host: '127.0.0.1' }))],
  'createConnection({ port, host, localAddress })': [{ localAddress: '127.0.0.1' },
    (net, o, port) => net.createConnection(Object.assign(o, { port, host: '127.0.0.1' }))],
  'connect({ path })': [{ path: '/nonexistent/iocp-net.sock' }, (net, o) => net.connect(o)],
}), (t, r) => {
  t.strictSame(r['new Socket({})'], ['get objectMode', 'get readableObjectMode', 'get writableObjectMode', 'get keepAliveInitialDelay', 'ownKeys']);
});

compare(t, 'Server constructor and listen() read options in node\'s order', async (net) => accesses(net, {
  'createServer({ noDelay })': [{ noDelay: true }, (net, o) => net.createServer(o)],
  'listen({ port })': [{ port: 0 }, (net, o) => net.createServer().listen(o)],
  'listen({ port, host, backlog, exclusive })': [{ port: 0, host: '127.0.0.1', backlog: 5, exclusive: true },
    (net, o) => net.createServer().listen(o)],
  'listen({ port, signal, ipv6Only })': [{ port: 0, signal: new AbortController().signal, ipv6Only: false },
    (net, o) => net.createServer().listen(o)],
  'listen({ path, readableAll, writableAll })': [{ path: pipePath('order'), readableAll: true, writableAll: true },
    (net, o) => net.createServer().listen(o)],
  'listen({})': [{}, (net, o) => { try { net.createServer().listen(o); } catch { /* ERR_INVALID_ARG_VALUE */ } }],
}), (t, r) => {
  // node 22.12 reads reusePort (getFlags, then for `exclusive`); 24.19 first
  // asks whether the options (or their handle) are a net.BoundSocket.
  const reusePort = features.reusePort;
  t.strictSame(r['listen({ port })'], [
    ...(features.boundSocket ? ['getPrototypeOf', 'get handle'] : []),
    'get _handle', 'get handle', 'get ipv6Only', ...(reusePort ? ['get reusePort'] : []), 'getPrototypeOf', 'get signal', 'get fd',
    'get port', 'get port', 'get port', 'get port', 'get backlog', ...(reusePort ? ['get reusePort'] : []), 'get host', 'get port',
    'get exclusive']);
});

/** Options whose every property getter throws an error naming it. */
function throwingOptions(keys: string[]): object {
  const options = {};
  for (const key of keys) {
    Object.defineProperty(options, key, { enumerable: true, get() { throw new Error(`read ${key}`); } });
  }
  return options;
}

const allKeys = ['port', 'host', 'path', 'timeout', 'localAddress', 'localPort', 'family', 'hints', 'lookup', 'noDelay',
  'keepAlive', 'keepAliveInitialDelay', 'allowHalfOpen', 'signal', 'onread', 'fd', 'readable', 'writable',
  'objectMode', 'readableObjectMode', 'writableObjectMode', 'autoSelectFamily', 'autoSelectFamilyAttemptTimeout',
  'backlog', 'exclusive', 'ipv6Only', 'readableAll', 'writableAll', 'handle', '_handle', 'highWaterMark', 'pauseOnConnect'];

compare(t, 'throwing getters: the first read throws, as in node', async (net) => {
  const calls: Record<string, () => unknown> = {
    'new Socket': () => new net.Socket(throwingOptions(allKeys) as any),
    connect: () => net.connect(throwingOptions(allKeys) as any),
    createConnection: () => net.createConnection(throwingOptions(allKeys) as any),
    'socket.connect': () => new net.Socket().connect(throwingOptions(allKeys) as any),
    createServer: () => net.createServer(throwingOptions(allKeys) as any),
    listen: () => net.createServer().listen(throwingOptions(allKeys) as any),
  };
  const out: Record<string, unknown> = {};
  for (const [label, call] of Object.entries(calls)) {
    try {
      call();
      out[label] = 'no throw';
    } catch (err) {
      out[label] = errorShape(err)!.message;
    }
  }
  return out;
}, (t, r) => t.strictSame(r, {
  'new Socket': 'read objectMode', connect: 'read objectMode', createConnection: 'read objectMode',
  'socket.connect': 'read port', createServer: 'read port', listen: features.boundSocket ? 'read handle' : 'read _handle',
}));

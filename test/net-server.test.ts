// net.Server: listen() forms, synchronous bind, close(), address(),
// getConnections, maxConnections/'drop', pauseOnConnect, options, events.
import t from 'tap';
import { features } from '../lib/features';
import { compare, listen, closeServer, once, errorShape, pipePath, delay, ipv6LoopbackAvailable, mask, uvErrno, isWine, Net, Server } from './impl';

const serverEvents = ['listening', 'connection', 'close', 'error', 'drop'];

function recordServer(server: Server, log: string[]): string[] {
  for (const e of serverEvents) {
    server.on(e, (arg: any) => log.push(arg instanceof Error ? `${e}(${(arg as any).code})` : e));
  }
  return log;
}

/** Address with the port reduced to "is a number" (ports differ between runs). */
function addr(server: Server): unknown {
  const a = server.address();
  if (a === null || typeof a === 'string') return a;
  return { ...a, port: typeof a.port === 'number' && a.port > 0 ? 'port' : a.port };
}

type ListenForm = [string, (server: Server, done: () => void) => void];
const forms: ListenForm[] = [
  ['listen()', (s, cb) => s.listen(cb)],
  ['listen(0)', (s, cb) => s.listen(0, cb)],
  ['listen(0, host)', (s, cb) => s.listen(0, '127.0.0.1', cb)],
  ['listen(0, host, backlog)', (s, cb) => s.listen(0, '127.0.0.1', 10, cb)],
  ['listen(0, backlog)', (s, cb) => (s as any).listen(0, 10, cb)],
  ['listen("0")', (s, cb) => (s as any).listen('0', cb)],
  ['listen({port: 0})', (s, cb) => s.listen({ port: 0 }, cb)],
  ['listen({port, host})', (s, cb) => s.listen({ port: 0, host: '127.0.0.1' }, cb)],
  ['listen({port, host: localhost})', (s, cb) => s.listen({ port: 0, host: 'localhost' }, cb)],
  ['listen({port, backlog, exclusive})', (s, cb) => s.listen({ port: 0, host: '127.0.0.1', backlog: 5, exclusive: true }, cb)],
  ['listen(0) then "listening" listener', (s, cb) => { s.listen(0); s.once('listening', cb); }],
];

for (const [title, start] of forms) {
  compare(t, title, async (net) => {
    const server = net.createServer((c) => c.end('ok'));
    const log = recordServer(server, []);
    let cbCalled = 0;
    const listening = new Promise<void>((resolve) => start(server, () => { cbCalled++; resolve(); }));
    const sync = { listening: server.listening, address: addr(server) };
    await listening;
    const after = { listening: server.listening, address: addr(server) };
    // A client can connect.
    const a = server.address() as import('node:net').AddressInfo;
    const client = net.connect(a.port, a.address === '::' ? '127.0.0.1' : a.address);
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (d) => (text += d));
    await once(client, 'close');
    await closeServer(server);
    return { sync, after, cbCalled, text, log, final: { listening: server.listening, address: server.address() } };
  }, (t, r: any) => {
    t.equal(r.cbCalled, 1);
    t.equal(r.text, 'ok');
    t.equal(r.after.listening, true);
    t.strictSame(r.log, ['listening', 'connection', 'close']);
    t.strictSame(r.final, { listening: false, address: null });
  });
}

compare(t, 'numeric-port listen binds synchronously', async (net) => {
  const results = [];
  for (const args of [[0], [{ port: 0 }], [0, '127.0.0.1'], [{ port: 0, host: '::' }]] as any[]) {
    const server = net.createServer();
    (server.listen as any)(...args);
    results.push({ args: JSON.stringify(args), listening: server.listening, address: addr(server) });
    await once(server, 'listening');
    await closeServer(server);
  }
  return results;
}, (t, r: any) => {
  t.strictSame(r[0], { args: '[0]', listening: true, address: { address: '::', family: 'IPv6', port: 'port' } });
  t.strictSame(r[1].listening, true);
});

compare(t, 'listen(path) and listen({path})', async (net) => {
  const out = [];
  for (const useOptions of [false, true]) {
    const path = pipePath(useOptions ? 'opts' : 'plain');
    const server = net.createServer((c) => c.end('pipe'));
    const log = recordServer(server, []);
    await new Promise<void>((resolve) => (useOptions ? server.listen({ path }, resolve) : server.listen(path, resolve)));
    const address = server.address() === path;
    const client = net.connect(path);
    let text = '';
    client.on('data', (d) => (text += d));
    await once(client, 'close');
    await closeServer(server);
    out.push({ address, text, log });
  }
  return out;
}, (t, r) => {
  for (const one of r) t.strictSame(one, { address: true, text: 'pipe', log: ['listening', 'connection', 'close'] });
});

compare(t, 'listen errors: EADDRINUSE, pipe in missing dir, ERR_SERVER_ALREADY_LISTEN, bad args', async (net) => {
  const first = net.createServer();
  const port = await listen(first);
  const second = net.createServer();
  const log = recordServer(second, []);
  let inUse: any;
  second.on('error', (e) => (inUse = errorShape(e)));
  second.listen(port, '127.0.0.1');
  await once(second, 'error').catch(() => {});
  await delay(10);
  const inUseState = { listening: second.listening, address: second.address() };

  const pipeServer = net.createServer();
  let pipeErr: any;
  pipeServer.on('error', (e) => (pipeErr = errorShape(e)));
  pipeServer.listen('/nonexistent-dir-iocp-net/x.sock');
  await delay(20);

  let already: unknown;
  try { first.listen(0); } catch (e) { already = errorShape(e); }

  const bad: unknown[] = [];
  // (Not { backlog: 'x' } on Windows: node.exe aborts the process there, as
  // Windows libuv's uv_tcp_listen asserts backlog > 0.)
  const badBacklog = process.platform === 'win32' ? [] : [[{ port: 0, backlog: 'x' }]];
  for (const args of [[-1], [65536], ['x'], [{}], [{ port: 0, host: 5 }], ...badBacklog, [{ port: 0, signal: 1 }], [true], [{ path: 5 }], [{ port: 0, ipv6Only: 'yes' }], [{ host: '127.0.0.1' }]]) {
    const s = net.createServer();
    try { (s.listen as any)(...args); bad.push(`no throw, listening=${s.listening}`); } catch (e) { bad.push(errorShape(e)); }
    s.on('error', () => {});
    if (s.listening) await closeServer(s);
  }
  await closeServer(first);
  return mask({ inUse, log, inUseState, pipeErr, already, bad }, { PORT: port });
}, (t, r: any) => {
  t.match(r.inUse, { code: 'EADDRINUSE', errno: uvErrno('EADDRINUSE'), syscall: 'listen', address: '127.0.0.1', port: 'PORT', message: 'listen EADDRINUSE: address already in use 127.0.0.1:PORT' });
  t.strictSame(r.log, ['error(EADDRINUSE)']);
  // libuv reports a pipe bind into a missing directory as EACCES.
  t.match(r.pipeErr, { code: 'EACCES', errno: uvErrno('EACCES'), syscall: 'listen', address: '/nonexistent-dir-iocp-net/x.sock',
    message: 'listen EACCES: permission denied /nonexistent-dir-iocp-net/x.sock', keys: ['code', 'errno', 'syscall', 'address', 'port'] });
  t.match(r.bad.at(-1), { code: 'ERR_INVALID_ARG_VALUE', message: 'The argument \'options\' must have the property "port" or "path". Received { host: \'127.0.0.1\' }' });
  t.match(r.already, { code: 'ERR_SERVER_ALREADY_LISTEN', message: 'Listen method has been called more than once without closing.' });
  t.match(r.bad[0], { code: 'ERR_SOCKET_BAD_PORT' });
});

compare(t, 'ipv6Only and "::" listen', async (net) => {
  if (!(await ipv6LoopbackAvailable())) return { skipped: 'no IPv6 loopback' };
  const dual = net.createServer((c) => c.end('dual'));
  await new Promise<void>((resolve) => dual.listen({ port: 0, host: '::' }, resolve));
  const port = (dual.address() as any).port;
  const viaV4 = await new Promise<string>((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    let s = '';
    c.on('data', (d) => (s += d)).on('error', (e: any) => resolve(e.code)).on('close', () => resolve(s));
  });
  await closeServer(dual);
  const v6only = net.createServer((c) => c.end('v6'));
  await new Promise<void>((resolve) => v6only.listen({ port: 0, host: '::', ipv6Only: true }, resolve));
  const port2 = (v6only.address() as any).port;
  const v4Refused = await new Promise<string>((resolve) => {
    const c = net.connect(port2, '127.0.0.1');
    c.on('error', (e: any) => resolve(e.code)).on('connect', () => resolve('connected'));
  });
  const viaV6 = await new Promise<string>((resolve) => {
    const c = net.connect(port2, '::1');
    let s = '';
    c.on('data', (d) => (s += d)).on('error', (e: any) => resolve(e.code)).on('close', () => resolve(s));
  });
  await closeServer(v6only);
  return { viaV4, v4Refused, viaV6 };
}, (t, r: any) => {
  if (r.skipped) { t.comment(r.skipped); return; }
  t.strictSame(r, { viaV4: 'dual', v4Refused: 'ECONNREFUSED', viaV6: 'v6' });
});

compare(t, 'listen signal: abort closes the server', async (net) => {
  const ac = new AbortController();
  const server = net.createServer();
  const log = recordServer(server, []);
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', signal: ac.signal }, resolve));
  ac.abort();
  const syncAfterAbort = server.listening;
  await once(server, 'close');
  const pre = net.createServer();
  const preLog = recordServer(pre, []);
  pre.listen({ port: 0, signal: AbortSignal.abort() });
  await delay(20);
  return { log, syncAfterAbort, listening: server.listening, preLog, preListening: pre.listening };
}, (t, r) => {
  t.strictSame(r.log, ['listening', 'close']);
  t.equal(r.listening, false);
  t.equal(r.preListening, false);
});

compare(t, 'close(cb): ERR_SERVER_NOT_RUNNING, waits for connections', async (net) => {
  const never = net.createServer();
  const notRunning: unknown[] = [];
  const neverLog = recordServer(never, []);
  await new Promise<void>((resolve) => never.close((err) => { notRunning.push(errorShape(err)); resolve(); }));
  await delay(10);
  const returnsThis = never.close() === never;
  await delay(10);

  const server = net.createServer();
  const log = recordServer(server, []);
  const port = await listen(server);
  const client = net.connect(port, '127.0.0.1');
  await once(server, 'connection');
  const order: string[] = [];
  server.close((err) => order.push(`close-cb ${err}`));
  order.push(`listening=${server.listening}`);
  await delay(50);
  order.push('client-destroy');
  client.destroy();
  await once(server, 'close');
  order.push('closed');
  const again: unknown[] = [];
  await new Promise<void>((resolve) => server.close((err) => { again.push(errorShape(err)); resolve(); }));
  return { notRunning, neverLog, returnsThis, order, log, again };
}, (t, r: any) => {
  t.match(r.notRunning[0], { code: 'ERR_SERVER_NOT_RUNNING', message: 'Server is not running.', ctor: 'Error' });
  t.strictSame(r.order, ['listening=false', 'client-destroy', 'close-cb undefined', 'closed']);
  t.match(r.again[0], { code: 'ERR_SERVER_NOT_RUNNING' });
});

compare(t, 'getConnections and connection counting', async (net) => {
  const server = net.createServer();
  const port = await listen(server);
  const count = () => new Promise<unknown>((resolve) => server.getConnections((err, n) => resolve([err, n])));
  const counts = [await count()];
  const clients = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
  const peers: any[] = [];
  server.on('connection', (s) => peers.push(s));
  while (peers.length < 3) await delay(5);
  counts.push(await count());
  clients[0].destroy();
  await once(peers[0], 'close');
  counts.push(await count());
  const returnsThis = server.getConnections(() => {}) === server;
  for (const c of clients) c.destroy();
  await closeServer(server);
  return { counts, returnsThis, connectionsProp: (server as any).connections };
}, (t, r) => {
  t.strictSame(r.counts, [[null, 0], [null, 3], [null, 2]]);
  t.equal(r.returnsThis, true);
});

compare(t, 'maxConnections and the drop event', async (net) => {
  const server = net.createServer((s) => s.on('error', () => {}));
  server.maxConnections = 1;
  const drops: unknown[] = [];
  server.on('drop', (info: any) => drops.push({ ...info, localPort: typeof info?.localPort, remotePort: typeof info?.remotePort }));
  const port = await listen(server);
  const first = net.connect(port, '127.0.0.1');
  await once(server, 'connection');
  const second = net.connect(port, '127.0.0.1');
  const secondLog: string[] = [];
  for (const e of ['connect', 'end', 'close', 'error']) second.on(e, (a: any) => secondLog.push(a instanceof Error ? `error(${(a as any).code})` : e));
  await once(second, 'close');
  first.destroy();
  await closeServer(server);
  return { drops, secondLog, max: server.maxConnections };
}, (t, r: any) => {
  t.equal(r.drops.length, 1);
  t.match(r.drops[0], { localAddress: '127.0.0.1', localPort: 'number', localFamily: 'IPv4', remoteAddress: '127.0.0.1', remotePort: 'number', remoteFamily: 'IPv4' });
  t.equal(r.max, 1);
});

compare(t, 'pauseOnConnect: no data until resume()', async (net) => {
  let peer: any;
  const server = net.createServer({ pauseOnConnect: true }, (s) => { peer = s; });
  const port = await listen(server);
  const client = net.connect(port, '127.0.0.1', () => client.write('hello'));
  while (!peer) await delay(5);
  const chunks: string[] = [];
  peer.on('data', (d: Buffer) => chunks.push(d.toString()));
  await delay(100);
  const beforeResume = { chunks: chunks.join(''), bytesRead: peer.bytesRead, isPaused: peer.isPaused() };
  peer.resume();
  await delay(50);
  client.destroy();
  peer.destroy();
  await closeServer(server);
  return { beforeResume, after: chunks.join('') };
}, (t, r) => t.strictSame(r, { beforeResume: { chunks: '', bytesRead: 0, isPaused: true }, after: 'hello' }));

compare(t, 'server options: allowHalfOpen, noDelay, keepAlive, highWaterMark', async (net) => {
  const seen: unknown[] = [];
  const server = net.createServer({ allowHalfOpen: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000, highWaterMark: 1024 } as any, (s) => {
    seen.push({ allowHalfOpen: s.allowHalfOpen, readableHWM: s.readableHighWaterMark, writableHWM: s.writableHighWaterMark, server: (s as any).server === server });
    s.on('end', () => setTimeout(() => s.end('after-half-close'), 10));
    s.resume();
  });
  const port = await listen(server);
  const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  client.end('x');
  let text = '';
  client.on('data', (d) => (text += d));
  await once(client, 'close');
  await closeServer(server);
  return { seen, text };
}, (t, r) => t.strictSame(r, { seen: [{ allowHalfOpen: true, readableHWM: 1024, writableHWM: 1024, server: true }], text: 'after-half-close' }));

compare(t, 'createServer argument handling', async (net) => {
  const out: unknown[] = [];
  for (const args of [[5], ['x'], [{}, 5], [null], [{ allowHalfOpen: 1 }]]) {
    try { const s = (net.createServer as any)(...args); out.push(`ok ${s instanceof net.Server}`); } catch (e) { out.push(errorShape(e)); }
  }
  return out;
}, (t, r: any) => {
  t.equal(r[0].message, 'The "options" argument must be of type object. Received type number (5)');
  t.strictSame(r.slice(2), ['ok true', 'ok true', 'ok true']);
});

compare(t, 'ref/unref return this; server.listening; asyncDispose', async (net) => {
  const server = net.createServer();
  const results: Record<string, unknown> = {
    unrefBefore: server.unref() === server,
    refBefore: server.ref() === server,
    listeningBefore: server.listening,
  };
  await listen(server);
  results.unref = server.unref() === server;
  results.ref = server.ref() === server;
  results.listening = server.listening;
  const disposeResult = (server as any)[Symbol.asyncDispose]();
  results.disposeIsPromise = disposeResult instanceof Promise;
  await disposeResult;
  results.listeningAfterDispose = server.listening;
  results.disposeAgain = await (server as any)[Symbol.asyncDispose]().then(() => 'resolved', (e: any) => `rejected ${e.code}`);
  return results;
}, (t, r) => t.strictSame(r, {
  unrefBefore: true, refBefore: true, listeningBefore: false, unref: true, ref: true, listening: true,
  disposeIsPromise: true, listeningAfterDispose: false, disposeAgain: 'resolved',
}));

compare(t, 'connection event: socket state and server-side addresses', async (net) => {
  const server = net.createServer();
  const port = await listen(server);
  const info = new Promise<any>((resolve) => server.on('connection', (s) => resolve({
    remoteAddress: s.remoteAddress, remoteFamily: s.remoteFamily, localAddress: s.localAddress, localPortIsServer: s.localPort === port,
    readyState: s.readyState, pending: s.pending, connecting: s.connecting, bytesRead: s.bytesRead, isServerSide: (s as any).server === server,
    readable: s.readable, writable: s.writable, timeout: s.timeout,
  })));
  const client = net.connect(port, '127.0.0.1');
  const r = await info;
  client.destroy();
  await closeServer(server);
  return r;
}, (t, r) => t.strictSame(r, {
  remoteAddress: '127.0.0.1', remoteFamily: 'IPv4', localAddress: '127.0.0.1', localPortIsServer: true,
  readyState: 'open', pending: false, connecting: false, bytesRead: 0, isServerSide: true, readable: true, writable: true, timeout: undefined,
}));

compare(t, 'pipe listen: readableAll/writableAll modes, EADDRINUSE on an existing path', async (net) => {
  const fs = await import('node:fs');
  const path = pipePath('modes');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ path, readableAll: true, writableAll: true }, resolve));
  // A named pipe (Windows) is no file: no mode to read.
  const mode = process.platform === 'win32' ? 'pipe' : (fs.statSync(path).mode & 0o777).toString(8);
  const second = net.createServer();
  let inUse: unknown;
  second.on('error', (e) => (inUse = errorShape(e)));
  second.listen(path);
  await delay(30);
  if (second.listening) await closeServer(second);
  await closeServer(server);
  const removedOnClose = !fs.existsSync(path);
  return mask({ mode, inUse, removedOnClose }, { PATH: path });
}, (t, r: any) => {
  // libuv 1.47 (node 22) sets exactly 0666; node 20's libuv adds the bits to the file's mode.
  t.equal(r.mode, process.platform === 'win32' ? 'pipe' : features.pipeChmodExact ? '666' : '777');
  if (isWine) {
    // Wine difference 6: FILE_FLAG_FIRST_PIPE_INSTANCE is ignored, so the
    // second server on the name is not refused (node.exe's own net neither).
    t.equal(r.inUse, undefined);
  } else {
    t.match(r.inUse, { code: 'EADDRINUSE', syscall: 'listen', address: 'PATH', message: 'listen EADDRINUSE: address already in use PATH' });
  }
  t.equal(r.removedOnClose, true);
});

compare(t, 'listen again after close', async (net) => {
  const server = net.createServer((c) => c.end('again'));
  const log = recordServer(server, []);
  const results: string[] = [];
  for (let round = 0; round < 2; round++) {
    const port = await listen(server);
    const c = net.connect(port, '127.0.0.1');
    let text = '';
    c.on('data', (d) => (text += d));
    await once(c, 'close');
    results.push(text);
    await closeServer(server);
  }
  return { results, log };
}, (t, r) => t.strictSame(r, { results: ['again', 'again'], log: ['listening', 'connection', 'close', 'listening', 'connection', 'close'] }));

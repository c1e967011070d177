// connect()/createConnection() in every form, DNS (lookup event, custom lookup,
// autoSelectFamily), writes queued while connecting, reconnecting, event order.
import t from 'tap';
import * as dns from 'node:dns';
import * as nodeNet from 'node:net';
import { spawn } from 'node:child_process';
import {
  compare, eachImpl, listen, closeServer, once, errorShape, pipePath, localhostHasIPv6, delay, Net, Socket, Server,
} from './impl';

const socketEvents = ['lookup', 'connectionAttempt', 'connectionAttemptFailed', 'connectionAttemptTimeout',
  'connect', 'ready', 'data', 'end', 'finish', 'close', 'error', 'timeout'];

function render(event: string, args: any[]): string {
  const shown = args.map((a) => (a instanceof Error ? `${a.constructor.name}:${(a as any).code}` : Buffer.isBuffer(a) ? `<${a.length} bytes>` : JSON.stringify(a)));
  return shown.length ? `${event}(${shown.join(',')})` : event;
}

/** Attach recorders for every socket event; resolves with the log at 'close'.
 *  A server port in the log is written as PORT (ports differ between runs). */
function record(socket: Socket, log: string[] = [], port?: number): Promise<string[]> {
  for (const e of socketEvents) socket.on(e, (...args: any[]) => log.push(render(e, args)));
  return once(socket, 'close').then(() => (port ? log.map((line) => line.split(String(port)).join('PORT')) : log));
}

/** A server that writes `greeting` to each connection and ends it. */
async function greeter(net: Net, greeting = 'hi'): Promise<{ server: Server; port: number }> {
  const server = net.createServer((s) => { s.on('error', () => {}); s.end(greeting); });
  return { server, port: await listen(server) };
}

function portOf(server: Server): number {
  return (server.address() as import('node:net').AddressInfo).port;
}

/** Connect with the given argument list and return the event log and addresses seen at 'connect'. */
async function connectForm(net: Net, how: 'connect' | 'createConnection' | 'socket.connect', args: (port: number) => any[]) {
  const { server, port } = await greeter(net);
  let callbackCalled = 0;
  let addresses: unknown;
  const argv = args(port);
  let socket: Socket;
  if (how === 'socket.connect') {
    socket = new net.Socket();
    socket.connect(...(argv as [any]), () => callbackCalled++);
  } else {
    socket = (net[how] as any)(...argv, () => callbackCalled++);
  }
  const stateAtStart = { connecting: socket.connecting, pending: socket.pending, readyState: socket.readyState };
  socket.once('connect', () => {
    addresses = {
      remoteAddress: socket.remoteAddress, remotePort: socket.remotePort === port, remoteFamily: socket.remoteFamily,
      localAddress: socket.localAddress, localFamily: socket.localFamily, localPortNumber: typeof socket.localPort,
      address: { ...(socket.address() as object), port: undefined }, readyState: socket.readyState, pending: socket.pending,
    };
  });
  socket.setEncoding('utf8');
  let text = '';
  socket.on('data', (d) => (text += d));
  const log = await record(socket, [], port);
  await closeServer(server);
  return { log, callbackCalled, addresses, text, stateAtStart };
}

const forms: Array<[string, 'connect' | 'createConnection' | 'socket.connect', (port: number) => any[]]> = [
  ['connect(port)', 'connect', (p) => [p]],
  ['connect(port, host)', 'connect', (p) => [p, '127.0.0.1']],
  ['connect(String(port), host)', 'connect', (p) => [String(p), '127.0.0.1']],
  ['connect({port})', 'connect', (p) => [{ port: p }]],
  ['connect({port, host})', 'connect', (p) => [{ port: p, host: '127.0.0.1' }]],
  ['connect({port, host: localhost, family: 4})', 'connect', (p) => [{ port: p, host: 'localhost', family: 4 }]],
  ['connect({port, hints})', 'connect', (p) => [{ port: p, host: 'localhost', hints: dns.ADDRCONFIG }]],
  ['connect({port, autoSelectFamily: false})', 'connect', (p) => [{ port: p, host: 'localhost', autoSelectFamily: false }]],
  ['connect({port, autoSelectFamily: true, attemptTimeout})', 'connect', (p) => [{ port: p, host: 'localhost', autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 500 }]],
  ['connect({port, host, localAddress})', 'connect', (p) => [{ port: p, host: '127.0.0.1', localAddress: '127.0.0.1' }]],
  ['createConnection(port, host)', 'createConnection', (p) => [p, '127.0.0.1']],
  ['createConnection({port, host})', 'createConnection', (p) => [{ port: p, host: '127.0.0.1' }]],
  ['socket.connect(port, host)', 'socket.connect', (p) => [p, '127.0.0.1']],
  ['socket.connect({port, host})', 'socket.connect', (p) => [{ port: p, host: '127.0.0.1' }]],
];

for (const [title, how, args] of forms) {
  compare(t, title, (net) => connectForm(net, how, args), (t, r) => {
    t.equal(r.callbackCalled, 1, 'callback runs once');
    t.equal(r.text, 'hi', 'data received');
    t.equal(r.log.at(-1), 'close(false)');
    t.ok(r.log.indexOf('connect') < r.log.indexOf('ready'), 'connect before ready');
    t.strictSame(r.stateAtStart, { connecting: true, pending: true, readyState: 'opening' });
    t.match(r.addresses, { remoteAddress: '127.0.0.1', remotePort: true, remoteFamily: 'IPv4', localAddress: '127.0.0.1', localFamily: 'IPv4', localPortNumber: 'number', readyState: 'open', pending: false });
  });
}

compare(t, 'connect({localPort}) binds the local port', async (net) => {
  const { server, port } = await greeter(net);
  // Find a free port by binding and releasing it.
  const probe = net.createServer();
  const localPort = await listen(probe);
  await closeServer(probe);
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort });
  await once(socket, 'connect');
  const seen = socket.localPort === localPort;
  const peer = await new Promise<boolean>((resolve) => {
    server.getConnections(() => resolve(true));
  });
  socket.destroy();
  await once(socket, 'close');
  await closeServer(server);
  return { seen, peer };
}, (t, r) => t.strictSame(r, { seen: true, peer: true }));

compare(t, 'connect({path}) and connect(path)', async (net) => {
  const path = pipePath('connect');
  const server = net.createServer((s) => s.end('pipe'));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const results = [];
  for (const args of [[path], [{ path }]]) {
    const socket = (net.connect as any)(...args);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    let addresses: unknown;
    socket.once('connect', () => {
      addresses = { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, remoteFamily: socket.remoteFamily, address: socket.address() };
    });
    const log = await record(socket);
    results.push({ log, text, addresses });
  }
  await closeServer(server);
  return { results, serverAddressIsPath: server.address() === null };
}, (t, r) => {
  for (const one of r.results) {
    t.equal(one.text, 'pipe');
    t.equal(one.log.at(-1), 'close(false)');
  }
});

compare(t, 'custom lookup: options it receives, lookup event', async (net) => {
  const { server, port } = await greeter(net);
  const calls: unknown[] = [];
  const runs = [];
  const variants: any[] = [
    { host: 'example.invalid', autoSelectFamily: false },
    { host: 'example.invalid', autoSelectFamily: false, family: 4, hints: dns.ADDRCONFIG },
    { host: 'example.invalid', autoSelectFamily: true },
    { host: 'example.invalid', autoSelectFamily: true, family: 4 },
  ];
  for (const v of variants) {
    const socket = new net.Socket();
    const done = record(socket, [], port);
    socket.connect({
      port, ...v,
      lookup(host: string, options: any, cb: any) {
        calls.push({ host, options });
        if (options.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
        else cb(null, '127.0.0.1', 4);
      },
    });
    runs.push(await done);
  }
  await closeServer(server);
  return { calls, runs };
}, (t, r) => {
  // node passes `family: undefined` explicitly when no family was given, and
  // adds ADDRCONFIG to an unset family's hints except on Windows.
  const defaultHints = process.platform === 'win32' ? 0 : dns.ADDRCONFIG;
  t.strictSame(r.calls, [
    { host: 'example.invalid', options: { family: undefined, hints: defaultHints } },
    { host: 'example.invalid', options: { family: 4, hints: dns.ADDRCONFIG } },
    { host: 'example.invalid', options: { family: undefined, hints: defaultHints, all: true } },
    { host: 'example.invalid', options: { family: 4, hints: 0 } },
  ]);
  for (const run of r.runs) {
    t.strictSame(run, ['lookup(null,"127.0.0.1",4,"example.invalid")', 'connectionAttempt("127.0.0.1",PORT,4)', 'connect', 'ready',
      'data(<2 bytes>)', 'end', 'finish', 'close(false)']);
  }
});

compare(t, 'lookup failure: error event shape and order', async (net) => {
  const results = [];
  for (const autoSelectFamily of [false, true]) {
    const socket = new net.Socket();
    let error: unknown;
    socket.on('error', (e) => (error = errorShape(e)));
    const done = record(socket);
    socket.connect({
      port: 80, host: 'nowhere.invalid', autoSelectFamily,
      lookup(_h: string, _o: any, cb: any) {
        const err: any = new Error('getaddrinfo ENOTFOUND nowhere.invalid');
        err.code = 'ENOTFOUND';
        cb(err);
      },
    } as any);
    results.push({ log: await done, error });
  }
  return results;
}, (t, r) => {
  for (const run of r) {
    t.strictSame(run.log, ['lookup(Error:ENOTFOUND,,,"nowhere.invalid")', 'error(Error:ENOTFOUND)', 'close(true)']);
    t.equal((run.error as any).message, 'getaddrinfo ENOTFOUND nowhere.invalid');
  }
});

compare(t, 'real DNS: localhost with family 6 when localhost has no ::1', async (net) => {
  if (await localhostHasIPv6()) return { skipped: 'localhost resolves to ::1 here' };
  const socket = net.connect({ port: 9, host: 'localhost', family: 6 });
  let error: unknown;
  socket.on('error', (e) => (error = errorShape(e)));
  const log = await record(socket);
  return { log, error };
}, (t, r: any) => {
  if (r.skipped) return;
  t.equal(r.error.code, 'ENOTFOUND');
  t.equal(r.error.syscall, 'getaddrinfo');
  t.equal(r.error.hostname, 'localhost');
  t.equal(r.error.message, 'getaddrinfo ENOTFOUND localhost');
});

compare(t, 'autoSelectFamily: all attempts fail -> AggregateError', async (net) => {
  const socket = new net.Socket();
  let error: unknown;
  let raw: any;
  socket.on('error', (e) => { raw = e; error = errorShape(e); });
  const done = record(socket);
  socket.connect({
    port: 1, host: 'two.invalid', autoSelectFamily: true,
    lookup: (_h: string, _o: any, cb: any) => cb(null, [{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.2', family: 4 }]),
  } as any);
  const log = await done;
  return {
    log, error, attempted: socket.autoSelectFamilyAttemptedAddresses,
    isAggregate: raw instanceof AggregateError, ctorIsAggregate: raw?.constructor === AggregateError,
  };
}, (t, r: any) => {
  t.equal(r.isAggregate, true);
  t.equal(r.ctorIsAggregate, true);
  t.equal(r.error.code, 'ECONNREFUSED');
  t.equal(r.error.message, '');
  t.equal(r.error.stackHeader, 'AggregateError [ECONNREFUSED]: ');
  t.strictSame(r.error.keys, ['code']);
  t.strictSame(r.error.errors.map((e: any) => e.message), ['connect ECONNREFUSED 127.0.0.1:1', 'connect ECONNREFUSED 127.0.0.2:1']);
  t.strictSame(r.attempted, ['127.0.0.1:1', '127.0.0.2:1']);
  t.strictSame(r.log, [
    'lookup(null,"127.0.0.1",4,"two.invalid")', 'lookup(null,"127.0.0.2",4,"two.invalid")',
    'connectionAttempt("127.0.0.1",1,4)', 'connectionAttemptFailed("127.0.0.1",1,4,Error:ECONNREFUSED)',
    'connectionAttempt("127.0.0.2",1,4)', 'connectionAttemptFailed("127.0.0.2",1,4,Error:ECONNREFUSED)',
    'error(AggregateError:ECONNREFUSED)', 'close(true)',
  ]);
});

compare(t, 'autoSelectFamily: second address answers', async (net) => {
  const { server, port } = await greeter(net);
  // Bind the first candidate to nothing: 127.0.0.2 refuses, 127.0.0.1 answers.
  const socket = new net.Socket();
  const done = record(socket, [], port);
  let remote: string | undefined;
  socket.on('connect', () => (remote = socket.remoteAddress));
  socket.connect({
    port, host: 'two.invalid', autoSelectFamily: true,
    lookup: (_h: string, _o: any, cb: any) => cb(null, [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }]),
  } as any);
  const log = await done;
  await closeServer(server);
  return { log, attempted: socket.autoSelectFamilyAttemptedAddresses.map((a) => a.replace(String(port), 'PORT')), remote, remoteAfterClose: socket.remoteAddress };
}, (t, r) => {
  t.strictSame(r.attempted, ['127.0.0.2:PORT', '127.0.0.1:PORT']);
  t.strictSame(r.log, [
    'lookup(null,"127.0.0.2",4,"two.invalid")', 'lookup(null,"127.0.0.1",4,"two.invalid")',
    'connectionAttempt("127.0.0.2",PORT,4)', 'connectionAttemptFailed("127.0.0.2",PORT,4,Error:ECONNREFUSED)',
    'connectionAttempt("127.0.0.1",PORT,4)', 'connect', 'ready', 'data(<2 bytes>)', 'end', 'finish', 'close(false)',
  ]);
  t.equal(r.remote, '127.0.0.1');
});

compare(t, 'timeout option sets socket.timeout and fires', async (net) => {
  const server = net.createServer(() => {}); // never writes
  const port = await listen(server);
  const socket = net.connect({ port, host: '127.0.0.1', timeout: 50 });
  const timeoutBefore = socket.timeout;
  const log: string[] = [];
  socket.on('timeout', () => { log.push(`timeout ${socket.timeout}`); socket.destroy(); });
  const done = record(socket, log, port);
  await done;
  await closeServer(server);
  return { timeoutBefore, log: await done };
}, (t, r) => {
  t.equal(r.timeoutBefore, 50);
  t.strictSame(r.log, ['connectionAttempt("127.0.0.1",PORT,4)', 'connect', 'ready', 'timeout 50', 'timeout', 'close(false)']);
});

compare(t, 'writes queued while connecting are delivered in order', async (net) => {
  const received: Buffer[] = [];
  const server = net.createServer((s) => s.on('data', (d) => received.push(d)));
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  const closed = once(socket, 'close');
  const before = {
    pending: socket.pending, connecting: socket.connecting, readyState: socket.readyState,
  };
  const callbacks: string[] = [];
  const returns = [
    socket.write('one,', () => callbacks.push('one')),
    socket.write(Buffer.from('two,'), () => callbacks.push('two')),
    socket.write('74687265652c', 'hex', () => callbacks.push('three')),
  ];
  const queued = { writableLength: socket.writableLength, bufferSize: socket.bufferSize, bytesWritten: socket.bytesWritten };
  socket.end('four', () => callbacks.push('end'));
  const afterEnd = { readyState: socket.readyState, writable: socket.writable };
  await once(socket, 'finish');
  const finishBytes = socket.bytesWritten;
  await new Promise<void>((resolve) => {
    const check = () => (Buffer.concat(received).length >= 18 ? resolve() : setTimeout(check, 5));
    check();
  });
  socket.destroy();
  await closed;
  await closeServer(server);
  return { before, returns, queued, afterEnd, callbacks, finishBytes, data: Buffer.concat(received).toString() };
}, (t, r) => {
  t.strictSame(r.before, { pending: true, connecting: true, readyState: 'opening' });
  t.equal(r.data, 'one,two,three,four');
  t.strictSame(r.callbacks, ['one', 'two', 'three', 'end']);
  t.equal(r.finishBytes, 18);
  t.strictSame(r.queued, { writableLength: 20, bufferSize: 20, bytesWritten: 14 }); // hex string counted by its length
  t.strictSame(r.returns, [true, true, true]);
});

compare(t, 'reconnecting a closed socket', async (net) => {
  const { server, port } = await greeter(net, 'again');
  const socket = new net.Socket();
  const texts: string[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (d) => texts.push(String(d)));
  const first = record(socket, [], port);
  socket.connect(port, '127.0.0.1');
  const log1 = await first;
  const stateAfterClose = { destroyed: socket.destroyed, readyState: socket.readyState, bytesRead: socket.bytesRead };
  socket.removeAllListeners('close');
  for (const e of socketEvents) socket.removeAllListeners(e);
  socket.on('data', (d) => texts.push(String(d)));
  const second = record(socket, [], port);
  socket.connect(port, '127.0.0.1');
  const stateReconnecting = { connecting: socket.connecting, destroyed: socket.destroyed, readyState: socket.readyState };
  const log2 = await second;
  await closeServer(server);
  return { log1, log2, texts, stateAfterClose, stateReconnecting, bytesRead: socket.bytesRead };
}, (t, r) => {
  t.strictSame(r.texts, ['again', 'again']);
  const expected = ['connectionAttempt("127.0.0.1",PORT,4)', 'connect', 'ready', 'data("again")', 'end', 'finish', 'close(false)'];
  t.strictSame(r.log1, expected);
  t.strictSame(r.log2, expected);
  t.strictSame(r.stateAfterClose, { destroyed: true, readyState: 'closed', bytesRead: 5 });
  t.strictSame(r.stateReconnecting, { connecting: true, destroyed: false, readyState: 'opening' });
});

compare(t, 'connect() again while connected', async (net) => {
  const { server, port } = await greeter(net);
  const socket = net.connect(port, '127.0.0.1');
  const done = record(socket, [], port);
  await once(socket, 'connect');
  const local = socket.localPort;
  let error: unknown;
  try { socket.connect(port, '127.0.0.1'); } catch (e) { error = errorShape(e); }
  let emitted: unknown;
  socket.on('error', (e: any) => {
    // The ports differ between the implementations' runs: compared by shape.
    emitted = { ...errorShape(e), port: e.port === port ? 'PORT' : e.port,
      message: String(e.message).replace(`:${port} `, ':PORT ').replace(`:${local})`, ':LOCAL)'),
      stackHeader: undefined };
  });
  const log = await done;
  await closeServer(server);
  return { error, emitted, log };
}, (t, r: any) => {
  t.equal(r.error, undefined, 'does not throw');
  if (process.platform === 'win32') {
    // libuv's ConnectEx on the connected socket: EISCONN, the socket is destroyed.
    t.strictSame(r.log, ['connectionAttempt("127.0.0.1",PORT,4)', 'connect', 'ready', 'connectionAttempt("127.0.0.1",PORT,4)',
      'error(Error:EISCONN)', 'close(true)']);
    t.match(r.emitted, { code: 'EISCONN', syscall: 'connect', port: 'PORT', message: 'connect EISCONN 127.0.0.1:PORT - Local (127.0.0.1:LOCAL)' });
    return;
  }
  t.strictSame(r.log, ['connectionAttempt("127.0.0.1",PORT,4)', 'connect', 'ready', 'connectionAttempt("127.0.0.1",PORT,4)', 'connect', 'ready',
    'data(<2 bytes>)', 'end', 'finish', 'close(false)']);
});

/**
 * A loopback address:port whose connects hang (SYN dropped): a python
 * listener on 127.0.0.3 with backlog 0 that never accepts, its queue filled by
 * node:net connections. Resolves null if python3 is not available.
 */
async function blackhole(): Promise<{ port: number; close: () => void } | null> {
  const py = spawn('python3', ['-c', [
    'import socket, time',
    "s = socket.socket(); s.bind(('127.0.0.3', 0)); s.listen(0)",
    'print(s.getsockname()[1], flush=True); time.sleep(60)',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number | null>((resolve) => {
    py.on('error', () => resolve(null));
    py.stdout.once('data', (d) => resolve(Number(String(d).trim())));
  });
  if (!port) return null;
  const fillers: nodeNet.Socket[] = [];
  for (let i = 0; i < 8; i++) {
    const c = nodeNet.connect(port, '127.0.0.3');
    c.on('error', () => {});
    fillers.push(c);
    const connected = await new Promise((resolve) => { c.once('connect', () => resolve(true)); setTimeout(() => resolve(false), 200); });
    if (!connected) break; // the accept queue is full: further connects hang
  }
  return { port, close: () => { for (const f of fillers) f.destroy(); py.kill(); } };
}

compare(t, 'autoSelectFamilyAttemptTimeout: an unanswered attempt times out, the next address connects', async (net) => {
  const hole = await blackhole();
  if (!hole) return { skipped: 'python3 not available' };
  try {
    const server = net.createServer((s) => s.end('hi'));
    await new Promise<void>((resolve) => server.listen(hole.port, '127.0.0.1', resolve));
    const socket = new net.Socket();
    const done = record(socket, [], hole.port);
    socket.connect({
      port: hole.port, host: 'x.invalid', autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 100,
      lookup: (_h: string, _o: any, cb: any) => cb(null, [{ address: '127.0.0.3', family: 4 }, { address: '127.0.0.1', family: 4 }]),
    } as any);
    const log = await done;
    const attempted = socket.autoSelectFamilyAttemptedAddresses.map((a) => a.replace(String(hole.port), 'PORT'));
    await closeServer(server);
    return { log, attempted };
  } finally {
    hole.close();
  }
}, (t, r: any) => {
  if (r.skipped) { t.comment(r.skipped); return; }
  t.strictSame(r.log, [
    'lookup(null,"127.0.0.3",4,"x.invalid")', 'lookup(null,"127.0.0.1",4,"x.invalid")',
    'connectionAttempt("127.0.0.3",PORT,4)', 'connectionAttemptTimeout("127.0.0.3",PORT,4)',
    'connectionAttempt("127.0.0.1",PORT,4)', 'connect', 'ready', 'data(<2 bytes>)', 'end', 'finish', 'close(false)',
  ]);
  t.strictSame(r.attempted, ['127.0.0.3:PORT', '127.0.0.1:PORT']);
});

compare(t, 'timeout while connecting, and destroy() of a hanging connect', async (net) => {
  const hole = await blackhole();
  if (!hole) return { skipped: 'python3 not available' };
  try {
    const socket = net.connect({ port: hole.port, host: '127.0.0.3', timeout: 100 });
    const states: unknown[] = [];
    socket.on('timeout', () => {
      states.push({ connecting: socket.connecting, pending: socket.pending, readyState: socket.readyState });
      socket.destroy();
    });
    const log = await record(socket, [], hole.port);
    return { log, states };
  } finally {
    hole.close();
  }
}, (t, r: any) => {
  if (r.skipped) { t.comment(r.skipped); return; }
  t.strictSame(r.log, ['connectionAttempt("127.0.0.3",PORT,4)', 'timeout', 'close(false)']);
  t.strictSame(r.states, [{ connecting: true, pending: true, readyState: 'opening' }]);
});

compare(t, 'destroy() during DNS lookup', async (net) => {
  const socket = new net.Socket();
  const done = record(socket);
  let lookupCalled = 0;
  socket.connect({
    port: 80, host: 'slow.invalid',
    lookup: (_h: string, _o: any, cb: any) => { lookupCalled++; setTimeout(() => cb(null, [{ address: '127.0.0.1', family: 4 }]), 50); },
  } as any);
  const state = { connecting: socket.connecting, pending: socket.pending };
  socket.destroy();
  const log = await done;
  await delay(100); // the late lookup answer must not resurrect the socket
  return { log, state, lookupCalled, destroyed: socket.destroyed, connectingAfter: socket.connecting };
}, (t, r) => {
  t.strictSame(r.log, ['close(false)']);
  t.equal(r.lookupCalled, 1);
  t.strictSame(r.state, { connecting: true, pending: true });
});

eachImpl(t, 'localhost precondition is detected, not assumed', async (t) => {
  const v6 = await localhostHasIPv6();
  t.comment(`localhost resolves to ::1: ${v6}`);
  t.type(v6, 'boolean');
  await delay(0);
});

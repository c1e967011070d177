// connect() on a socket that was connected before: after 'close' it starts
// over (a new handle, counters from 0); while it still has its handle node
// calls connect again on that handle, and the kernel's answer decides
// (EALREADY, a second 'connect', EISCONN, or for a unix socket the target's
// lookup error).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compare, listen, closeServer, once, errorShape, pipePath, mask, delay, Net, Socket, Server } from './impl';

// Windows: libuv's ConnectEx on the socket answers from its state: a
// connected socket (or one whose loopback connect has completed) is EISCONN.
const windows = process.platform === 'win32';

const socketEvents = ['connectionAttempt', 'connectionAttemptFailed', 'connect', 'error', 'close'];

/** Records the events of `socket` as text: errors by code, syscall and message. */
function record(socket: Socket, log: string[]): string[] {
  for (const event of socketEvents) {
    socket.on(event, (...args: any[]) => {
      const shown = args.map((a) => (a instanceof Error ? `${(a as any).code} ${(a as any).syscall}: ${a.message}` : String(a)));
      log.push(shown.length ? `${event}(${shown.join(', ')})` : event);
    });
  }
  return log;
}

/** A server that keeps its connections open; `accepted` resolves with the next one. */
function holdingServer(net: Net): { server: Server; accepted: () => Promise<Socket> } {
  const waiting: Array<(s: Socket) => void> = [];
  const server = net.createServer((s) => {
    s.on('error', () => {});
    waiting.shift()?.(s);
  });
  return { server, accepted: () => new Promise((resolve) => waiting.push(resolve)) };
}

compare(t, 'reconnect after close: bytesRead and bytesWritten start from 0', async (net) => {
  const server = net.createServer((s) => { s.on('error', () => {}); s.resume(); s.end('hello'); });
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  socket.resume();
  socket.write('abc');
  socket.on('end', () => socket.end());
  await once(socket, 'close');
  const counts: Record<string, number[]> = { closed: [socket.bytesRead, socket.bytesWritten] };
  socket.connect(port, '127.0.0.1');
  counts['connect() returned'] = [socket.bytesRead, socket.bytesWritten];
  await once(socket, 'connect');
  counts.connected = [socket.bytesRead, socket.bytesWritten];
  socket.write('x');
  await once(socket, 'close');
  counts['closed again'] = [socket.bytesRead, socket.bytesWritten];
  await closeServer(server);
  return counts;
}, (t, r) => t.strictSame(r, {
  closed: [5, 3], 'connect() returned': [0, 0], connected: [0, 0], 'closed again': [5, 1],
}));

compare(t, 'TCP: second connect() succeeds again, the third fails with EISCONN', async (net) => {
  const { server } = holdingServer(net);
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  const log = record(socket, []);
  await once(socket, 'connect');
  log.push('-- second');
  socket.connect(port, '127.0.0.1');
  if (!windows) {
    await once(socket, 'connect');
    log.push(`-- third (open: ${socket.readyState})`);
    socket.connect(port, '127.0.0.1');
  }
  await once(socket, 'close');
  await closeServer(server);
  // The local port is an ephemeral one.
  return mask(log, { PORT: port }).map((line) => line.replace(/Local \(127\.0\.0\.1:\d+\)/, 'Local (127.0.0.1:LOCAL)'));
}, (t, r) => t.strictSame(r, windows ? [
  'connectionAttempt(127.0.0.1, PORT, 4)', 'connect',
  '-- second', 'connectionAttempt(127.0.0.1, PORT, 4)',
  'error(EISCONN connect: connect EISCONN 127.0.0.1:PORT - Local (127.0.0.1:LOCAL))', 'close(true)',
] : [
  'connectionAttempt(127.0.0.1, PORT, 4)', 'connect',
  '-- second', 'connectionAttempt(127.0.0.1, PORT, 4)', 'connect',
  '-- third (open: open)', 'connectionAttempt(127.0.0.1, PORT, 4)',
  'error(EISCONN connect: connect EISCONN 127.0.0.1:PORT - Local (127.0.0.1:LOCAL))', 'close(true)',
]));

compare(t, 'TCP: connect() while connecting fails with EALREADY', async (net) => {
  const { server } = holdingServer(net);
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  const log = record(socket, []);
  socket.connect(port, '127.0.0.1');
  await once(socket, 'close');
  await closeServer(server);
  // The local address in the message is the socket's as connect(2) left it:
  // node's kernel has bound it by then, our engine submits the connect at the
  // end of the loop turn (see README, differences).
  return mask(log, { PORT: port }).map((line) => line.replace(/ - Local \(.*\)\)$/, ' - Local (...))'));
}, (t, r) => t.strictSame(r, [
  'connectionAttempt(127.0.0.1, PORT, 4)', 'connectionAttempt(127.0.0.1, PORT, 4)',
  windows ? 'error(EISCONN connect: connect EISCONN 127.0.0.1:PORT - Local (...))'
    : 'error(EALREADY connect: connect EALREADY 127.0.0.1:PORT - Local (...))',
  'close(true)',
]));

compare(t, 'TCP: connect() on an accepted socket fails with EISCONN', async (net) => {
  const { server, accepted } = holdingServer(net);
  const port = await listen(server);
  const client = net.connect(port, '127.0.0.1');
  client.on('error', () => {});
  const peer = await accepted();
  const log = record(peer, []);
  peer.connect(port, '127.0.0.1');
  await once(peer, 'close');
  client.destroy();
  await closeServer(server);
  return mask(log, { PORT: port });
}, (t, r) => t.strictSame(r, [
  'connectionAttempt(127.0.0.1, PORT, 4)',
  'error(EISCONN connect: connect EISCONN 127.0.0.1:PORT - Local (127.0.0.1:PORT))', 'close(true)',
]));

compare(t, 'TCP: connect() with a local address on a connected socket: bind EINVAL', async (net) => {
  const { server } = holdingServer(net);
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  let error: unknown;
  socket.on('error', (e) => (error = errorShape(e)));
  await once(socket, 'connect');
  const log = record(socket, []);
  socket.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
  await once(socket, 'close');
  await closeServer(server);
  return { log, error };
}, (t, r: any) => {
  t.strictSame(r.log, ['error(EINVAL bind: bind EINVAL 127.0.0.1)', 'close(true)']);
  t.match(r.error, { code: 'EINVAL', syscall: 'bind', address: '127.0.0.1', keys: ['errno', 'code', 'syscall', 'address'] });
});

// Unix sockets only: the targets are files (a missing one, a regular one, a
// relative path), which Windows' named pipes are not.
if (!windows) compare(t, 'unix socket: connect() again fails with the target\'s error', async (net) => {
  const sockPath = pipePath('reconnect');
  const { server, accepted } = holdingServer(net);
  await new Promise<void>((resolve) => server.listen(sockPath, resolve));
  const tcp = net.createServer();
  const port = await listen(tcp);
  const dir = path.dirname(sockPath);
  fs.writeFileSync(path.join(dir, 'regular-file'), 'not a socket');
  const targets: Array<[string, (s: Socket) => void]> = [
    ['its own path', (s) => s.connect(sockPath)],
    ['{ path } of a missing file', (s) => s.connect({ path: path.join(dir, 'missing') })],
    ['a regular file', (s) => s.connect(path.join(dir, 'regular-file'))],
    // A unix socket given a port connects to the host as a path (relative to the cwd).
    ['port and host', (s) => s.connect(port, '127.0.0.1')],
    ['port, host and localAddress', (s) => s.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' })],
  ];
  const out: Record<string, string[]> = {};
  for (const [label, reconnect] of targets) {
    const socket = net.connect(sockPath);
    await once(socket, 'connect');
    const log = record(socket, []);
    reconnect(socket);
    await once(socket, 'close');
    out[label] = mask(log, { DIR: dir, PORT: port });
  }
  {
    // The accepted end of a unix socket connection.
    const client = net.connect(sockPath);
    client.on('error', () => {});
    const peer = await accepted();
    const log = record(peer, []);
    peer.connect(sockPath);
    await once(peer, 'close');
    out['accepted socket, its server\'s path'] = mask(log, { DIR: dir });
    client.destroy();
  }
  await closeServer(server);
  await closeServer(tcp);
  return out;
}, (t, r) => t.strictSame(r, {
  'its own path': ['connectionAttempt(DIR/reconnect.sock, undefined, undefined)',
    'connectionAttemptFailed(DIR/reconnect.sock, undefined, undefined, EISCONN connect: connect EISCONN DIR/reconnect.sock)',
    'error(EISCONN connect: connect EISCONN DIR/reconnect.sock)', 'close(true)'],
  '{ path } of a missing file': ['connectionAttempt(DIR/missing, undefined, undefined)',
    'connectionAttemptFailed(DIR/missing, undefined, undefined, ENOENT connect: connect ENOENT DIR/missing)',
    'error(ENOENT connect: connect ENOENT DIR/missing)', 'close(true)'],
  'a regular file': ['connectionAttempt(DIR/regular-file, undefined, undefined)',
    'connectionAttemptFailed(DIR/regular-file, undefined, undefined, ECONNREFUSED connect: connect ECONNREFUSED DIR/regular-file)',
    'error(ECONNREFUSED connect: connect ECONNREFUSED DIR/regular-file)', 'close(true)'],
  'port and host': ['connectionAttempt(127.0.0.1, PORT, 4)',
    'connectionAttemptFailed(127.0.0.1, PORT, 4, ENOENT connect: connect ENOENT 127.0.0.1:PORT)',
    'error(ENOENT connect: connect ENOENT 127.0.0.1:PORT)', 'close(true)'],
  'port, host and localAddress': ['error(EINVAL bind: bind EINVAL 127.0.0.1)', 'close(true)'],
  'accepted socket, its server\'s path': ['connectionAttempt(DIR/reconnect.sock, undefined, undefined)',
    'connectionAttemptFailed(DIR/reconnect.sock, undefined, undefined, EISCONN connect: connect EISCONN DIR/reconnect.sock)',
    'error(EISCONN connect: connect EISCONN DIR/reconnect.sock)', 'close(true)'],
}));

compare(t, 'TCP: end() then connect() in one tick: the shutdown is lost, no finish', async (net) => {
  const { server } = holdingServer(net);
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const log = record(socket, []);
  socket.on('finish', () => log.push('finish'));
  socket.end();
  socket.connect(port, '127.0.0.1');
  await delay(200);
  const state = { writableEnded: socket.writableEnded, writableFinished: socket.writableFinished, destroyed: socket.destroyed };
  if (!socket.destroyed) {
    socket.destroy();
    await once(socket, 'close');
  }
  await closeServer(server);
  return { log: mask(log, { PORT: port }).map((line) => line.replace(/Local \(127\.0\.0\.1:\d+\)/, 'Local (127.0.0.1:LOCAL)')), state };
}, (t, r: any) => {
  if (windows) {
    // The connect on the connected socket fails at once (EISCONN).
    t.match(r.log, ['connectionAttempt(127.0.0.1, PORT, 4)', /^error\(EISCONN connect: /]);
    t.equal(r.state.destroyed, true);
    return;
  }
  t.strictSame(r, {
    log: ['connectionAttempt(127.0.0.1, PORT, 4)', 'connect', 'close(false)'],
    state: { writableEnded: true, writableFinished: false, destroyed: false },
  });
});

compare(t, 'TCP: an IPv6 local address for a connected IPv4 socket: bind ENOPROTOOPT', async (net) => {
  const { server } = holdingServer(net);
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const log = record(socket, []);
  socket.connect({ port, host: '::1', localAddress: '::1' });
  await once(socket, 'close');
  await closeServer(server);
  return log;
  // (Windows' libuv ignores a refused IPV6_V6ONLY: the bound socket's bind is EINVAL.)
}, (t, r) => t.strictSame(r, [windows ? 'error(EINVAL bind: bind EINVAL ::1)' : 'error(ENOPROTOOPT bind: bind ENOPROTOOPT ::1)', 'close(true)']));

compare(t, 'a unix socket handle whose connect() threw connects to a host as a path', async (net) => {
  const { server } = holdingServer(net);
  const port = await listen(server);
  const socket = new net.Socket();
  let thrown: string | undefined;
  try {
    socket.connect({ path: 5 as any });
  } catch (err: any) {
    thrown = err.code;
  }
  const log = record(socket, []);
  socket.connect(port, '127.0.0.1');
  await once(socket, 'close');
  await closeServer(server);
  return { thrown, log: mask(log, { PORT: port }) };
}, (t, r) => t.strictSame(r, {
  thrown: 'ERR_INVALID_ARG_TYPE',
  log: ['connectionAttempt(127.0.0.1, PORT, 4)',
    'connectionAttemptFailed(127.0.0.1, PORT, 4, ENOENT connect: connect ENOENT 127.0.0.1:PORT)',
    'error(ENOENT connect: connect ENOENT 127.0.0.1:PORT)', 'close(true)'],
}));

compare(t, 'a socket reconnected in the tick it was destroyed is not failed by the old connection\'s writes', async (net) => {
  // (The server side of these connections does not end by itself: it is destroyed at the end.)
  const peers: Socket[] = [];
  const server = net.createServer((s) => { peers.push(s); s.on('error', () => {}); });
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const errors: string[] = [];
  socket.on('error', (e: any) => errors.push(e.message));
  // destroy(err) aborts the old handle: its queued write fails (ECANCELED).
  socket.write('hello');
  socket.destroy(new Error('boom'));
  socket.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  await delay(100);
  const state = { destroyed: socket.destroyed, readyState: socket.readyState, errors };
  socket.destroy();
  for (const peer of peers) peer.destroy();
  await closeServer(server);
  return state;
}, (t, r) => t.strictSame(r, { destroyed: false, readyState: 'writeOnly', errors: ['boom'] }));

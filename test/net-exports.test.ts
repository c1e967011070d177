// Exports of the module and the Socket constructor's options.
import t from 'tap';
import { compare, eachImpl, echoServer, closeServer, once, thrown, Net } from './impl';

// Public surface: every export, its type, and the public members of the classes.
function publicNames(proto: object): string[] {
  return Object.getOwnPropertyNames(proto).filter((n) => !n.startsWith('_')).sort();
}

compare(t, 'exports', async (net: Net) => ({
  exports: Object.keys(net).filter((k) => !k.startsWith('_')).sort().map((k) => `${k}:${typeof (net as any)[k]}`),
  streamIsSocket: (net as any).Stream === net.Socket,
  socketName: net.Socket.name,
  serverName: net.Server.name,
  socketMembers: publicNames(net.Socket.prototype),
  serverMembers: publicNames(net.Server.prototype),
  serverAsyncDispose: typeof (net.Server.prototype as any)[Symbol.asyncDispose],
  socketIsDuplex: new net.Socket() instanceof require('node:stream').Duplex,
  serverIsEmitter: new net.Server() instanceof require('node:events').EventEmitter,
}), (t, r) => {
  for (const name of ['connect', 'createConnection', 'createServer', 'Server', 'Socket', 'Stream', 'isIP', 'isIPv4', 'isIPv6',
    'BlockList', 'SocketAddress', 'getDefaultAutoSelectFamily', 'setDefaultAutoSelectFamily',
    'getDefaultAutoSelectFamilyAttemptTimeout', 'setDefaultAutoSelectFamilyAttemptTimeout']) {
    t.ok(r.exports.includes(`${name}:function`), `exports ${name}`);
  }
  t.equal(r.streamIsSocket, true);
  t.equal(r.serverAsyncDispose, 'function');
  t.ok(r.socketMembers.includes('resetAndDestroy'));
  t.ok(r.serverMembers.includes('getConnections'));
  t.equal(r.socketIsDuplex, true);
});

compare(t, 'callable without new', async (net: Net) => {
  const N = net as any;
  const server = N.Server();
  const socket = N.Socket();
  const stream = N.Stream();
  const withListener = N.Server(() => {});
  return {
    server: server instanceof net.Server,
    socket: socket instanceof net.Socket,
    stream: stream instanceof net.Socket,
    listenerCount: withListener.listenerCount('connection'),
    createServer: net.createServer() instanceof net.Server,
  };
}, (t, r) => t.strictSame(r, { server: true, socket: true, stream: true, listenerCount: 1, createServer: true }));

compare(t, 'isIP family', async (net: Net) => {
  const inputs = ['127.0.0.1', '::1', '::ffff:127.0.0.1', 'fe80::1%lo', '1.2.3', '256.0.0.1', 'localhost', '', '0x7f.0.0.1', '1::2::3'];
  return inputs.map((s) => [s, net.isIP(s), net.isIPv4(s), net.isIPv6(s)]);
}, (t, r) => {
  t.strictSame(r[0], ['127.0.0.1', 4, true, false]);
  t.strictSame(r[1], ['::1', 6, false, true]);
  t.strictSame(r[6], ['localhost', 0, false, false]);
});

compare(t, 'BlockList and SocketAddress', async (net: Net) => {
  const list = new net.BlockList();
  list.addAddress('127.0.0.2');
  list.addRange('10.0.0.1', '10.0.0.10');
  list.addSubnet('8592:757c:efae:4e45::', 64, 'ipv6');
  const address = new net.SocketAddress({ address: '127.0.0.1', port: 80 });
  return {
    checks: [list.check('127.0.0.2'), list.check('127.0.0.3'), list.check('10.0.0.5'), list.check('8592:757c:efae:4e45::f', 'ipv6')],
    rules: list.rules,
    address: [address.address, address.port, address.family, address.flowlabel],
    badPort: thrown(() => new net.SocketAddress({ address: '127.0.0.1', port: -1 })),
  };
}, (t, r) => {
  t.strictSame(r.checks, [true, false, true, true]);
  t.strictSame(r.address, ['127.0.0.1', 80, 'ipv4', 0]);
});

compare(t, 'default autoSelectFamily settings', async (net: Net) => {
  const initial = [net.getDefaultAutoSelectFamily(), net.getDefaultAutoSelectFamilyAttemptTimeout()];
  net.setDefaultAutoSelectFamily(false);
  const afterSet = net.getDefaultAutoSelectFamily();
  net.setDefaultAutoSelectFamily(initial[0] as boolean);
  net.setDefaultAutoSelectFamilyAttemptTimeout(5); // below the 10 ms floor
  const clamped = net.getDefaultAutoSelectFamilyAttemptTimeout();
  net.setDefaultAutoSelectFamilyAttemptTimeout(initial[1] as number);
  return {
    initial,
    afterSet,
    clamped,
    restored: [net.getDefaultAutoSelectFamily(), net.getDefaultAutoSelectFamilyAttemptTimeout()],
    badFamily: thrown(() => net.setDefaultAutoSelectFamily('yes' as any)),
    badTimeout: thrown(() => net.setDefaultAutoSelectFamilyAttemptTimeout(0)),
    badTimeoutType: thrown(() => net.setDefaultAutoSelectFamilyAttemptTimeout('1' as any)),
  };
}, (t, r) => {
  t.strictSame(r.initial, [true, 250]);
  t.equal(r.afterSet, false);
  t.equal(r.clamped, 10);
  t.strictSame(r.restored, [true, 250]);
  t.equal(r.badFamily?.code, 'ERR_INVALID_ARG_TYPE');
  t.equal(r.badTimeout?.code, 'ERR_OUT_OF_RANGE');
});

// ---------------------------------------------------------------------------
// Socket constructor options

function socketState(s: any) {
  return {
    readable: s.readable, writable: s.writable, allowHalfOpen: s.allowHalfOpen, readyState: s.readyState,
    pending: s.pending, connecting: s.connecting, bytesRead: s.bytesRead, bytesWritten: s.bytesWritten,
    bufferSize: s.bufferSize, timeout: s.timeout, remoteAddress: s.remoteAddress, localAddress: s.localAddress,
    readableHWM: s.readableHighWaterMark, writableHWM: s.writableHighWaterMark, destroyed: s.destroyed,
    attempted: s.autoSelectFamilyAttemptedAddresses,
  };
}

compare(t, 'Socket constructor defaults and flags', async (net: Net) => ({
  plain: socketState(new net.Socket()),
  halfOpen: socketState(new net.Socket({ allowHalfOpen: true })),
  notReadableWritable: socketState(new net.Socket({ readable: false, writable: false })),
  highWaterMark: socketState(new net.Socket({ highWaterMark: 100 } as any)),
  noDelayKeepAlive: socketState(new net.Socket({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 } as any)),
  badSignal: thrown(() => new net.Socket({ signal: 1 as any })),
  badKeepAliveDelay: thrown(() => new net.Socket({ keepAliveInitialDelay: 'x' as any } as any)),
  badFd: thrown(() => new net.Socket({ fd: 'x' as any })),
}), (t, r) => {
  t.equal(r.plain.readyState, 'open');
  t.equal(r.plain.pending, true);
  t.equal(r.plain.bytesRead, 0);
  t.equal(r.halfOpen.allowHalfOpen, true);
  t.equal(r.highWaterMark.writableHWM, 100);
  t.equal(r.badSignal?.code, 'ERR_INVALID_ARG_TYPE');
  t.equal(r.badKeepAliveDelay?.message, 'The "options.keepAliveInitialDelay" property must be of type number. Received type string (\'x\')');
});

compare(t, 'Socket signal option', async (net: Net) => {
  const log: string[] = [];
  const ac = new AbortController();
  const socket = new net.Socket({ signal: ac.signal });
  socket.on('error', (e: any) => log.push(`error ${e.name} ${e.code} ${e.message}`));
  socket.on('close', (hadError) => log.push(`close ${hadError}`));
  ac.abort();
  await once(socket, 'close');
  const preAborted = new net.Socket({ signal: AbortSignal.abort() });
  const log2: string[] = [];
  preAborted.on('error', (e: any) => log2.push(`error ${e.name} ${e.code}`));
  preAborted.on('close', () => log2.push('close'));
  await once(preAborted, 'close');
  return { log, destroyed: socket.destroyed, log2 };
}, (t, r) => {
  t.strictSame(r.log, ['error AbortError ABORT_ERR The operation was aborted', 'close undefined'].slice(0, r.log.length));
  t.equal(r.destroyed, true);
});

compare(t, 'Socket signal aborts a live connection', async (net: Net) => {
  const { server, port } = await echoServer(net);
  const ac = new AbortController();
  const log: string[] = [];
  const socket = net.connect({ port, host: '127.0.0.1', signal: ac.signal } as any);
  socket.on('error', (e: any) => log.push(`error ${e.name} ${e.code}`));
  socket.on('close', (hadError) => log.push(`close ${hadError}`));
  await once(socket, 'connect');
  ac.abort();
  await once(socket, 'close');
  await closeServer(server);
  return log;
}, (t, r) => t.strictSame(r, ['error AbortError ABORT_ERR', 'close true']));

compare(t, 'onread option: static buffer', async (net: Net) => {
  const server = net.createServer((s) => s.end(Buffer.alloc(100_000, 'a')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as any).port;
  const buffer = Buffer.alloc(4096);
  let total = 0;
  let sameBuffer = true;
  let allA = true;
  let dataEvents = 0;
  const socket = net.connect({
    port, host: '127.0.0.1',
    onread: {
      buffer,
      callback(nread: number, buf: Buffer) {
        total += nread;
        sameBuffer &&= buf === buffer;
        allA &&= buf.subarray(0, nread).every((b) => b === 0x61);
        return true;
      },
    },
  } as any);
  socket.on('data', () => dataEvents++);
  await once(socket, 'end');
  socket.destroy();
  await closeServer(server);
  return { total, sameBuffer, allA, dataEvents };
}, (t, r) => t.strictSame(r, { total: 100_000, sameBuffer: true, allA: true, dataEvents: 0 }));

compare(t, 'onread option: buffer factory, returning false pauses', async (net: Net) => {
  const server = net.createServer((s) => s.end(Buffer.alloc(50_000, 'b')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as any).port;
  let total = 0;
  let pausedOnce = false;
  let factoryCalls = 0;
  const socket: any = net.connect({
    port, host: '127.0.0.1',
    onread: {
      buffer: () => { factoryCalls++; return Buffer.alloc(1024); },
      callback(nread: number) {
        total += nread;
        if (!pausedOnce) {
          pausedOnce = true;
          setTimeout(() => socket.resume(), 50);
          return false;
        }
        return true;
      },
    },
  });
  await once(socket, 'end');
  socket.destroy();
  await closeServer(server);
  return { total, pausedOnce, factoryCalled: factoryCalls > 0 };
}, (t, r) => t.strictSame(r, { total: 50_000, pausedOnce: true, factoryCalled: true }));

eachImpl(t, 'noDelay/keepAlive options: connection works and setters chain', async (t, net) => {
  const { server, port } = await echoServer(net);
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true, keepAlive: true, keepAliveInitialDelay: 500 } as any);
  await once(socket, 'connect');
  t.equal(socket.setNoDelay(false), socket);
  t.equal(socket.setKeepAlive(false), socket);
  socket.end('ping');
  const chunks: Buffer[] = [];
  socket.on('data', (c) => chunks.push(c));
  await once(socket, 'close');
  t.equal(Buffer.concat(chunks).toString(), 'ping');
  await closeServer(server);
});

// Guards against a vacuous pass: iocp-net must be its own implementation, not node's classes re-exported.
eachImpl(t, 'implementation identity', async (t, net, impl) => {
  const nodeNet = require('node:net');
  const { server, port } = await echoServer(net);
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const handleType = (socket as any)._handle?.constructor?.name;
  socket.destroy();
  await closeServer(server);
  if (impl.name === 'node:net') {
    t.equal(net.Socket, nodeNet.Socket);
    t.equal(handleType, 'TCP', "node's socket runs on a libuv TCP handle");
  } else {
    t.not(net.Socket, nodeNet.Socket, 'own Socket class');
    t.not(net.Server, nodeNet.Server, 'own Server class');
    t.notOk(socket instanceof nodeNet.Socket, 'sockets are not node:net sockets');
    t.not(handleType, 'TCP', 'no libuv TCP handle behind the socket');
  }
});

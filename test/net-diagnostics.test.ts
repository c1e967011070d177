// diagnostics_channel publications, AsyncLocalStorage propagation into
// callbacks and events, and perf_hooks 'net' entries.
import t from 'tap';
import * as dc from 'node:diagnostics_channel';
import { AsyncLocalStorage } from 'node:async_hooks';
import { PerformanceObserver } from 'node:perf_hooks';
import { compare, listen, closeServer, once, delay, mask, Net } from './impl';

compare(t, 'diagnostics_channel: net.client.socket, net.server.socket, net.server.listen', async (net) => {
  const log: string[] = [];
  let clientSocket: unknown;
  let serverRef: unknown;
  const onClient = (msg: any) => log.push(`client.socket socket=${msg.socket === clientSocket || msg.socket instanceof net.Socket} keys=${Object.keys(msg)}`);
  const onServer = (msg: any) => log.push(`server.socket socket=${msg.socket instanceof net.Socket} keys=${Object.keys(msg)}`);
  const listenHandlers = {
    start: (m: any) => log.push(`listen.start ${Object.keys(m)}`),
    end: (m: any) => log.push(`listen.end ${Object.keys(m)}`),
    asyncStart: (m: any) => log.push(`listen.asyncStart server=${m.server === serverRef} keys=${Object.keys(m)} options=${JSON.stringify(m.options)}`),
    asyncEnd: (m: any) => log.push(`listen.asyncEnd server=${m.server === serverRef} keys=${Object.keys(m)}`),
    error: (m: any) => log.push(`listen.error server=${m.server === serverRef} code=${m.error?.code} keys=${Object.keys(m)}`),
  };
  dc.subscribe('net.client.socket', onClient);
  dc.subscribe('net.server.socket', onServer);
  const listenChannel = dc.tracingChannel('net.server.listen');
  listenChannel.subscribe(listenHandlers);
  try {
    const server = net.createServer((s) => { log.push('connection'); s.end(); });
    serverRef = server;
    server.on('listening', () => log.push('listening'));
    log.push('listen()');
    server.listen(0, '127.0.0.1');
    log.push('listen() returned');
    await once(server, 'listening');
    const port = (server.address() as any).port;
    log.push('connect()');
    const client = net.connect(port, '127.0.0.1');
    clientSocket = client;
    log.push('connect() returned');
    client.resume();
    await once(client, 'close');
    // A failing listen publishes on the error channel.
    const second = net.createServer();
    serverRef = second;
    second.on('error', (e: any) => log.push(`error event ${e.code}`));
    second.listen(port, '127.0.0.1');
    await delay(30);
    await closeServer(server);
    return mask(log, { PORT: port });
  } finally {
    dc.unsubscribe('net.client.socket', onClient);
    dc.unsubscribe('net.server.socket', onServer);
    listenChannel.unsubscribe(listenHandlers);
  }
}, (t, log) => {
  t.ok(log.includes('client.socket socket=true keys=socket'), 'net.client.socket published with {socket}');
  t.ok(log.includes('server.socket socket=true keys=socket'), 'net.server.socket published with {socket}');
  t.ok(log.some((l) => l.startsWith('listen.asyncStart server=true')), 'net.server.listen asyncStart');
  t.ok(log.some((l) => l.startsWith('listen.asyncEnd server=true')), 'net.server.listen asyncEnd');
  t.ok(log.some((l) => l.startsWith('listen.error server=true code=EADDRINUSE')), 'net.server.listen error');
  t.strictSame(log, [
    'listen()', 'listen.asyncStart server=true keys=server,options options={"port":0,"host":"127.0.0.1"}', 'listen() returned',
    'listen.asyncEnd server=true keys=server', 'listening', 'connect()', 'client.socket socket=true keys=socket', 'connect() returned',
    'connection', 'server.socket socket=true keys=socket',
    'listen.asyncStart server=true keys=server,options options={"port":PORT,"host":"127.0.0.1"}',
    'listen.error server=true code=EADDRINUSE keys=server,error', 'error event EADDRINUSE',
  ], 'publication order');
});

compare(t, 'AsyncLocalStorage context in callbacks and events', async (net) => {
  const als = new AsyncLocalStorage<string>();
  const seen: string[] = [];
  const note = (where: string) => seen.push(`${where}=${als.getStore() ?? 'none'}`);
  const server = await als.run('server-setup', async () => {
    const s = net.createServer((socket) => {
      note('connection-listener');
      socket.on('data', () => note('server-data'));
      socket.on('end', () => { note('server-end'); socket.end('bye', () => note('server-end-cb')); });
      socket.on('close', () => note('server-close'));
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => { note('listen-cb'); resolve(); }));
    return s;
  });
  const port = (server.address() as any).port;
  await als.run('client', async () => {
    const client = net.connect(port, '127.0.0.1', () => note('connect-cb'));
    client.on('connect', () => note('connect-event'));
    client.on('ready', () => note('ready-event'));
    client.on('data', () => note('client-data'));
    client.on('end', () => note('client-end'));
    client.on('finish', () => note('client-finish'));
    client.setTimeout(5_000, () => note('timeout-cb'));
    await once(client, 'connect');
    await als.run('write-time', async () => {
      client.write('hello', () => note('write-cb'));
      client.end(() => note('end-cb'));
    });
    await once(client, 'close');
    note('after-close');
  });
  await als.run('close-time', () => new Promise<void>((resolve) => server.close(() => { note('server-close-cb'); resolve(); })));
  // lookup callback context
  await als.run('lookup', async () => {
    const c = net.connect({ port, host: 'localhost', lookup: (h: string, o: any, cb: any) => { note('custom-lookup'); require('node:dns').lookup(h, o, cb); } } as any);
    c.on('lookup', () => note('lookup-event'));
    c.on('error', (e: any) => note(`lookup-error-${e.code}`));
    await once(c, 'close');
  });
  return seen.sort();
}, (t, seen) => {
  for (const entry of ['connect-cb=client', 'write-cb=write-time', 'client-data=client', 'connection-listener=server-setup', 'listen-cb=server-setup', 'after-close=client']) {
    t.ok(seen.includes(entry), entry);
  }
});

compare(t, "perf_hooks 'net' entries for client connects", async (net) => {
  const entries: unknown[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) entries.push({ name: e.name, entryType: e.entryType, detail: (e as any).detail, durationOk: e.duration >= 0 });
  });
  observer.observe({ entryTypes: ['net'] });
  const server = net.createServer((s) => s.end());
  const port = await listen(server);
  const c = net.connect(port, '127.0.0.1');
  c.resume();
  await once(c, 'close');
  await delay(20);
  observer.disconnect();
  await closeServer(server);
  return mask(entries, { PORT: port });
}, (t, entries: any) => {
  t.strictSame(entries, [{ name: 'connect', entryType: 'net', detail: { host: '127.0.0.1', port: 'PORT' }, durationOk: true }]);
}, 10_000, "perf entries of type 'net' can only be created inside node (no public API enqueues them)");

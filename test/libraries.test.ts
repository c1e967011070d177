// Real libraries, server and client, on iocp-net through the helpers a user
// would call: serve() for their servers, HttpAgent / connector() for their
// clients. Each round trip counts the connections of each implementation on
// both sides: all must be iocp-net sockets.
import t from 'tap';
import * as http from 'node:http';
import * as nodeNet from 'node:net';
import { randomBytes } from 'node:crypto';
// express is CommonJS with no default export: required as it is.
const express = require('express') as typeof import('express');
import Fastify from 'fastify';
import * as undici from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { Server as SocketIoServer } from 'socket.io';
import { io as socketIoClient } from 'socket.io-client';
import { once } from './impl';
import {
  serve, HttpAgent, connector, countClientSockets, countServerSockets, listenServed, closeServer as close, Counts,
} from './helpers-under-test';

function onlyOurs(t: import('tap').Test, clients: Counts, servers: Counts): void {
  t.equal(clients.node + servers.node, 0, 'no node:net connection on either side');
  t.ok(clients.ours >= 1, `iocp-net client connections: ${clients.ours}`);
  t.equal(servers.ours, clients.ours, 'every server connection is one of the iocp-net client connections');
}

t.test('ws: server on a served http.Server, client through HttpAgent', async (t) => {
  const clients = countClientSockets(t);
  const server = http.createServer();
  const servers = countServerSockets(server);
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  const port = await listenServed(server);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { agent: new HttpAgent() });
  await once(ws, 'open');
  const payload = randomBytes(1 << 20);
  ws.send(payload);
  const [echo] = await once(ws, 'message');
  ws.send('text');
  const [text, isBinary] = await once(ws, 'message');
  ws.close();
  await once(ws, 'close');
  wss.close();
  await close(server);
  t.ok(Buffer.from(echo).equals(payload), '1 MiB binary message echoed');
  t.same([String(text), isBinary], ['text', false]);
  onlyOurs(t, clients, servers);
});

t.test('express: an app on a served http.Server, undici client with connector()', async (t) => {
  const clients = countClientSockets(t);
  const app = express();
  app.use(express.json());
  app.get('/hello/:name', (req, res) => { res.json({ hello: req.params.name }); });
  app.post('/sum', (req, res) => { res.json({ sum: (req.body.values as number[]).reduce((a, b) => a + b, 0) }); });
  const server = http.createServer(app);
  const servers = countServerSockets(server);
  const port = await listenServed(server);
  const dispatcher = new undici.Pool(`http://127.0.0.1:${port}`, { connections: 2, connect: connector() });
  const names = await Promise.all(['a', 'b', 'c'].map(async (n) => (await (await dispatcher.request({ path: `/hello/${n}`, method: 'GET' })).body.json() as any).hello));
  const sum = await (await dispatcher.request({ path: '/sum', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: [1, 2, 3] }) })).body.json();
  await dispatcher.close();
  await close(server);
  t.same(names, ['a', 'b', 'c']);
  t.same(sum, { sum: 6 });
  onlyOurs(t, clients, servers);
});

t.test('fastify: serverFactory returns a served http.Server; fastify listens and closes it', async (t) => {
  const clients = countClientSockets(t);
  let servers: Counts = { ours: 0, node: 0 };
  const app = Fastify({
    serverFactory: (handler) => {
      const server = http.createServer(handler);
      servers = countServerSockets(server);
      return serve(server);
    },
  });
  app.get('/item/:id', async (req) => ({ id: (req.params as { id: string }).id }));
  app.post('/echo', async (req) => req.body);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as nodeNet.AddressInfo).port;
  const agent = new HttpAgent({ keepAlive: true });
  const get = (p: string) => new Promise<string>((resolve, reject) => {
    http.get({ port, host: '127.0.0.1', path: p, agent }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  const items = [await get('/item/1'), await get('/item/2')];
  const dispatcher = new undici.Agent({ connect: connector() });
  const echoed = await (await undici.fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json' }, body: '{"x":1}' })).json();
  await dispatcher.close();
  agent.destroy();
  await app.close();
  t.same(items.map((s) => JSON.parse(s)), [{ id: '1' }, { id: '2' }]);
  t.same(echoed, { x: 1 });
  t.equal(app.server.listening, false, 'app.close() closed the served server');
  onlyOurs(t, clients, servers);
});

t.test('socket.io: server on a served http.Server, client with HttpAgent (polling, then websocket upgrade)', async (t) => {
  const clients = countClientSockets(t);
  const server = http.createServer();
  const servers = countServerSockets(server);
  const ioServer = new SocketIoServer(server);
  ioServer.on('connection', (socket) => {
    socket.on('echo', (value, ack) => ack({ echoed: value, transport: socket.conn.transport.name }));
  });
  const port = await listenServed(server);
  const client = socketIoClient(`http://127.0.0.1:${port}`, { agent: new HttpAgent({ keepAlive: true }) as any, reconnection: false });
  await once(client, 'connect');
  const first = await client.emitWithAck('echo', 'over polling or websocket');
  // The upgrade to websocket, then a message over it.
  if (client.io.engine.transport.name !== 'websocket') await once(client.io.engine, 'upgrade');
  const second = await client.emitWithAck('echo', { n: 2 });
  client.close();
  ioServer.close();
  await close(server).catch(() => {});
  t.same(first.echoed, 'over polling or websocket');
  t.same(second, { echoed: { n: 2 }, transport: 'websocket' });
  onlyOurs(t, clients, servers);
});

// The one-call helpers for what the register hook cannot reach: serve()
// (node's http/https/http2/tls servers on an iocp-net listener), HttpAgent and
// HttpsAgent (node's http clients on iocp-net connections) and connector()
// (undici, and so fetch, on iocp-net connections). Every round trip checks
// that its connections were iocp-net sockets.
import t from 'tap';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as nodeNet from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { createHash, randomBytes } from 'node:crypto';
import * as undici from 'undici';
import { compare, once } from './impl';
import {
  ours, serve, HttpAgent, HttpsAgent, connector, countClientSockets, countServerSockets, listenServed, closeServer,
} from './helpers-under-test';

const fixtures = path.join(__dirname, 'fixtures');
const key = fs.readFileSync(path.join(fixtures, 'localhost-key.pem'), 'utf8');
const cert = fs.readFileSync(path.join(fixtures, 'localhost-cert.pem'), 'utf8');

function body(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (text += d));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

function get(options: http.RequestOptions | https.RequestOptions, secure = false): Promise<{ status?: number; text: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(options, (res) => {
      body(res).then((text) => resolve({ status: res.statusCode, text, reused: req.reusedSocket }), reject);
    });
    req.on('error', reject);
    req.end();
  });
}

// --- serve(): a node server's lifecycle, same as when it listens itself ----

// Run once with the server listening itself (node:net) and once served by
// iocp-net; the client is node's in both, so only the server side differs.
compare(t, 'http.Server lifecycle: listening, address, timeouts, closeIdle/closeAllConnections, close', async (_net, impl) => {
  const start = (server: http.Server) => {
    if (impl.name === 'iocp-net') serve(server);
    server.listen(0, '127.0.0.1');
    return once(server, 'listening');
  };
  const log: string[] = [];

  // close() before listen: node's ERR_SERVER_NOT_RUNNING.
  const idle = http.createServer();
  if (impl.name === 'iocp-net') serve(idle);
  const notRunning = await new Promise<string>((resolve) => idle.close((err: any) => resolve(err?.code)));

  let hangingRequest: () => void = () => {};
  const server = http.createServer({ connectionsCheckingInterval: 50, headersTimeout: 300, requestTimeout: 300 }, (req, res) => {
    if (req.url === '/hang') return hangingRequest();
    res.end(`ok ${req.url}`);
  });
  const connectionKinds = countServerSockets(server);
  server.on('close', () => log.push('server close event'));
  const before = { listening: server.listening, address: server.address() };
  await start(server);
  const port = (server.address() as nodeNet.AddressInfo).port;
  const after = { listening: server.listening, family: (server.address() as nodeNet.AddressInfo).family };

  // Keep-alive: two requests on one connection, which then stays idle in the agent.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const first = await get({ port, host: '127.0.0.1', path: '/a', agent });
  const second = await get({ port, host: '127.0.0.1', path: '/b', agent });

  // headersTimeout/requestTimeout: enforced by http's connection tracking,
  // which starts on 'listening'; without it the server would never close this.
  // It writes a 408 reply and destroys the socket with an error at once:
  // the reply must still arrive.
  const slow = nodeNet.connect(port, '127.0.0.1');
  slow.on('error', () => {});
  let slowReply = '';
  slow.on('data', (d) => (slowReply += d));
  slow.write('GET /slow HTTP/1.1\r\nHost: x\r\n'); // headers never finished
  const slowStart = Date.now();
  await once(slow, 'close');
  const slowClosedByTimeout = Date.now() - slowStart >= 250;
  const slowStatusLine = slowReply.split('\r\n')[0];

  // A request the handler never answers, then close(): idle connections are
  // closed at once, the busy one stays until closeAllConnections().
  const hanging = new Promise<void>((resolve) => (hangingRequest = resolve));
  const hangingResult = get({ port, host: '127.0.0.1', path: '/hang', agent: false }).then(() => 'answered', (err) => `error ${err.code}`);
  await hanging;
  const connectionsBeforeClose = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
  const idleSocket = Object.values(agent.freeSockets)[0]![0];
  const idleClosed = once(idleSocket, 'close').then(() => log.push('idle keep-alive connection closed by close()'));
  const closed = new Promise<void>((resolve) => server.close((err) => { log.push(`close callback ${err}`); resolve(); }));
  const listeningAfterClose = server.listening;
  await idleClosed;
  log.push(`hanging request still open: ${await Promise.race([hangingResult, new Promise((r) => setTimeout(() => r('yes'), 100))])}`);
  server.closeAllConnections();
  const hangingRequestEnd = await hangingResult; // the server's 'close' may come before or after the client sees it
  await closed;
  agent.destroy();
  return {
    notRunning, before, after,
    keepAlive: [first, second].map((r) => [r.status, r.text, r.reused]),
    slowClosedByTimeout, slowStatusLine,
    connectionsBeforeClose, listeningAfterClose, log, hangingRequestEnd,
    serverSockets: impl.name === 'iocp-net' ? connectionKinds.ours : connectionKinds.node,
    otherSockets: impl.name === 'iocp-net' ? connectionKinds.node : connectionKinds.ours,
  };
}, (t, r) => t.strictSame(r, {
  notRunning: 'ERR_SERVER_NOT_RUNNING',
  before: { listening: false, address: null },
  after: { listening: true, family: 'IPv4' },
  keepAlive: [[200, 'ok /a', false], [200, 'ok /b', true]],
  slowClosedByTimeout: true,
  slowStatusLine: 'HTTP/1.1 408 Request Timeout',
  connectionsBeforeClose: 2,
  listeningAfterClose: false,
  log: ['idle keep-alive connection closed by close()', 'hanging request still open: yes',
    'server close event', 'close callback undefined'],
  hangingRequestEnd: 'error ECONNRESET',
  serverSockets: 3,
  otherSockets: 0,
}), 20_000);

t.test('serve(): server.timeout, maxConnections and ref/unref reach the listener', async (t) => {
  const server = http.createServer((_req, res) => res.end('ok'));
  server.timeout = 200;
  server.maxConnections = 1;
  const timeouts: boolean[] = [];
  server.on('timeout', (socket) => { timeouts.push(socket instanceof ours.Socket); socket.destroy(); });
  const drops: unknown[] = [];
  server.on('drop', (data) => drops.push(data && typeof data));
  const port = await listenServed(server);
  const first = nodeNet.connect(port, '127.0.0.1');
  await once(first, 'connect');
  await new Promise((r) => setTimeout(r, 50)); // the server has it before the second one comes
  const second = nodeNet.connect(port, '127.0.0.1');
  await once(second, 'close');
  await once(first, 'close');
  t.same(timeouts, [true], "the idle connection got http's server.timeout");
  t.same(drops, ['object'], 'the second connection was over maxConnections: dropped');
  server.unref();
  server.ref();
  await closeServer(server);
});

// --- agents ---------------------------------------------------------------

t.test('HttpAgent: keep-alive requests on iocp-net connections (to a served http.Server)', async (t) => {
  const clients = countClientSockets(t);
  const upload = randomBytes(1 << 20);
  const server = http.createServer((req, res) => {
    const hash = createHash('sha1');
    req.on('data', (d) => hash.update(d));
    req.on('end', () => res.end(`${req.url} ${hash.digest('hex')}`));
  });
  const servers = countServerSockets(server);
  const port = await listenServed(server);
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const results = [];
  for (const p of ['/1', '/2', '/3']) results.push(await get({ port, host: '127.0.0.1', path: p, agent }));
  const put = await new Promise<string>((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', path: '/put', method: 'PUT', agent }, (res) => body(res).then(resolve, reject));
    req.on('error', reject);
    req.end(upload);
  });
  agent.destroy();
  await closeServer(server);
  const empty = createHash('sha1').digest('hex');
  t.same(results.map((r) => [r.text, r.reused]), [[`/1 ${empty}`, false], [`/2 ${empty}`, true], [`/3 ${empty}`, true]]);
  t.equal(put, `/put ${createHash('sha1').update(upload).digest('hex')}`, '1 MiB upload');
  t.same(clients, { ours: 1, node: 0 }, 'one iocp-net client connection, kept alive');
  t.same(servers, { ours: 1, node: 0 }, 'one iocp-net server connection');
});

t.test('HttpsAgent and a served https.Server: TLS both ways over iocp-net, session reuse', async (t) => {
  const clients = countClientSockets(t);
  const server = https.createServer({ key, cert }, (req, res) => res.end(`secure ${req.url} ${(req.socket as tls.TLSSocket).getProtocol()}`));
  const servers = countServerSockets(server);
  const port = await listenServed(server);
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: cert });
  const options = { port, host: '127.0.0.1', servername: 'localhost', agent };
  const first = await get({ ...options, path: '/1' }, true);
  const second = await get({ ...options, path: '/2' }, true);
  // A fresh connection (the first destroyed) resumes the TLS session the agent cached.
  agent.destroy();
  const agent2 = new HttpsAgent({ keepAlive: false, ca: cert });
  const third = await get({ ...options, agent: agent2, path: '/3' }, true);
  await closeServer(server);
  t.match(first.text, /^secure \/1 TLSv1\.[23]$/);
  t.same([first.status, first.reused, second.status, second.reused], [200, false, 200, true]);
  t.match(third.text, /^secure \/3 /);
  t.same(clients, { ours: 2, node: 0 }, 'client connections are iocp-net sockets');
  t.same(servers, { ours: 2, node: 0 }, 'server connections are iocp-net sockets');
});

t.test('HttpsAgent: a refused connection is the request\'s error', async (t) => {
  const probe = nodeNet.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as nodeNet.AddressInfo).port;
  await closeServer(probe);
  const err = await get({ port, host: '127.0.0.1', agent: new HttpsAgent({ ca: cert }) }, true).then(() => null, (e) => e);
  t.equal(err?.code, 'ECONNREFUSED');
});

t.test('tls.Server served by iocp-net, tls.connect over an iocp-net socket', async (t) => {
  // What happened when, both sides, reported if the round trip fails.
  const started = Date.now();
  const events: string[] = [];
  const note = (what: string) => events.push(`${Date.now() - started}ms ${what}`);
  const server = tls.createServer({ key, cert }, (secure) => {
    note('server secureConnection');
    secure.on('error', (err) => note(`server tls error ${(err as any).code ?? err.message}`));
    secure.on('end', () => note('server tls end'));
    secure.pipe(secure);
  });
  server.on('connection', (socket) => {
    note('server connection');
    socket.on('error', (err: any) => note(`server raw error ${err.code}`));
    socket.on('end', () => note('server raw end'));
    socket.on('close', () => note('server raw close'));
  });
  const servers = countServerSockets(server);
  const port = await listenServed(server);
  const raw = ours.connect(port, '127.0.0.1');
  raw.on('connect', () => note('client raw connect'));
  raw.on('end', () => note('client raw end'));
  const secure = tls.connect({ socket: raw as unknown as nodeNet.Socket, ca: cert, servername: 'localhost' });
  let received = 0;
  try {
    await once(secure, 'secureConnect');
    note('client secureConnect');
    const payload = randomBytes(1 << 20);
    const chunks: Buffer[] = [];
    secure.on('data', (d) => { chunks.push(d); received += d.length; });
    secure.end(payload);
    await once(secure, 'end');
    note('client tls end');
    await closeServer(server);
    t.equal(secure.authorized, true);
    t.ok(Buffer.concat(chunks).equals(payload), '1 MiB echoed over TLS');
    t.ok(raw instanceof ours.Socket);
    t.same(servers, { ours: 1, node: 0 });
  } catch (err) {
    note(`client error ${(err as any).code ?? err}, ${received} bytes received`);
    t.fail(`TLS round trip failed: ${events.join('; ')}`);
    server.close();
  }
});

t.test('http2: a served h2c server and an http2 client on an iocp-net connection', async (t) => {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200 });
    stream.end(`h2 ${headers[':path']}`);
  });
  const servers = countServerSockets(server);
  const port = await listenServed(server);
  const session = http2.connect(`http://127.0.0.1:${port}`, { createConnection: () => ours.connect(port, '127.0.0.1') as any });
  const request = (p: string) => new Promise<string>((resolve, reject) => {
    const req = session.request({ ':path': p });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (text += d));
    req.on('end', () => resolve(text));
    req.on('error', reject);
    req.end();
  });
  const replies = await Promise.all([request('/a'), request('/b')]);
  session.close();
  await closeServer(server);
  t.same(replies, ['h2 /a', 'h2 /b']);
  t.same(servers, { ours: 1, node: 0 }, 'one connection, iocp-net');
});

// --- undici ---------------------------------------------------------------

t.test('undici: request through a dispatcher with connector(), and global fetch via setGlobalDispatcher', async (t) => {
  const clients = countClientSockets(t);
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => res.end(JSON.stringify({ url: req.url, method: req.method, text })));
  });
  const servers = countServerSockets(server);
  const port = await listenServed(server);
  const dispatcher = new undici.Agent({ connect: connector() });
  const viaRequest = await undici.request(`http://127.0.0.1:${port}/request`, { method: 'POST', body: 'hello', dispatcher });
  const requestBody = await viaRequest.body.json();

  const previous = undici.getGlobalDispatcher();
  undici.setGlobalDispatcher(dispatcher);
  t.teardown(() => undici.setGlobalDispatcher(previous));
  const viaFetch = await (await globalThis.fetch(`http://127.0.0.1:${port}/fetch`)).json();
  const viaUndiciFetch = await (await undici.fetch(`http://127.0.0.1:${port}/undici-fetch`)).json();
  await dispatcher.close();
  await closeServer(server);
  t.same(requestBody, { url: '/request', method: 'POST', text: 'hello' });
  t.same(viaFetch, { url: '/fetch', method: 'GET', text: '' }, "node's global fetch");
  t.same(viaUndiciFetch, { url: '/undici-fetch', method: 'GET', text: '' });
  t.equal(clients.node, 0, 'no node:net client connection');
  t.ok(clients.ours >= 1, `iocp-net client connections (${clients.ours})`);
  t.same(servers, { ours: clients.ours, node: 0 }, 'each one reached the served server');
});

t.test('undici: https through connector({ tls }) to a served https.Server', async (t) => {
  const clients = countClientSockets(t);
  const server = https.createServer({ key, cert }, (req, res) => res.end(`tls ${req.url}`));
  const servers = countServerSockets(server);
  const port = await listenServed(server);
  const dispatcher = new undici.Agent({ connect: connector({ tls: { ca: cert } }) });
  const texts = [];
  for (const p of ['/x', '/y']) texts.push(await (await undici.fetch(`https://localhost:${port}${p}`, { dispatcher })).text());
  await dispatcher.close();
  await closeServer(server);
  t.same(texts, ['tls /x', 'tls /y']);
  t.equal(clients.node, 0, 'no node:net client connection');
  t.ok(clients.ours >= 1, `iocp-net client connections (${clients.ours})`);
  t.same(servers, { ours: clients.ours, node: 0 }, 'each one reached the served server');
});

t.test('undici: a refused connection rejects fetch with its cause', async (t) => {
  const probe = nodeNet.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as nodeNet.AddressInfo).port;
  await closeServer(probe);
  const dispatcher = new undici.Agent({ connect: connector() });
  const err = await undici.fetch(`http://127.0.0.1:${port}/`, { dispatcher }).then(() => null, (e) => e);
  await dispatcher.close();
  t.equal(err?.cause?.code, 'ECONNREFUSED');
});

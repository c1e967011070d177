// Our sockets under node's http and tls: an http.Server fed through
// server.emit('connection', socket), an http client on our connections, and
// TLS over our socket with a certificate generated at test time.
import t from 'tap';
import * as http from 'node:http';
import * as tls from 'node:tls';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { compare, listen, closeServer, once, Net } from './impl';

/** An http.Server that is never listened on: connections come from our net server. */
async function httpOverOurServer(net: Net) {
  const httpServer = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.setHeader('x-method', req.method ?? '');
      res.end(`echo:${req.url}:${body}`);
    });
  });
  const netServer = net.createServer((socket) => httpServer.emit('connection', socket));
  const port = await listen(netServer);
  return { httpServer, netServer, port };
}

function request(options: http.RequestOptions, body?: string): Promise<{ status?: number; headers: http.IncomingHttpHeaders; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text, reused: (req as any).reusedSocket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

compare(t, 'http.Server fed with our sockets answers requests (node http client)', async (net) => {
  const { httpServer, netServer, port } = await httpOverOurServer(net);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const first = await request({ port, host: '127.0.0.1', path: '/a', method: 'POST', agent }, 'payload');
  const second = await request({ port, host: '127.0.0.1', path: '/b', agent });
  agent.destroy();
  httpServer.close();
  await closeServer(netServer);
  const pick = (r: typeof first) => ({ status: r.status, body: r.body, method: r.headers['x-method'], reused: r.reused, keepAlive: r.headers.connection });
  return [pick(first), pick(second)];
}, (t, r) => t.strictSame(r, [
  { status: 200, body: 'echo:/a:payload', method: 'POST', reused: false, keepAlive: 'keep-alive' },
  { status: 200, body: 'echo:/b:', method: 'GET', reused: true, keepAlive: 'keep-alive' },
]));

compare(t, 'http client over our connections (createConnection)', async (net) => {
  // The server side is node:net's http server; the client sockets come from the implementation.
  const server = http.createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as any).port;
  const big = randomBytes(1 << 20).toString('hex');
  const r1 = await request({ port, host: '127.0.0.1', path: '/x', createConnection: (opts: any, cb: any) => net.createConnection(opts, cb) } as any);
  const upload = await new Promise<string>((resolve, reject) => {
    const s2 = http.createServer((req, res) => {
      const h = createHash('sha1');
      req.on('data', (d) => h.update(d));
      req.on('end', () => res.end(h.digest('hex')));
    });
    s2.listen(0, '127.0.0.1', () => {
      request({ port: (s2.address() as any).port, host: '127.0.0.1', method: 'PUT', createConnection: (opts: any, cb: any) => net.createConnection(opts, cb) } as any, big)
        .then((r) => { s2.close(); resolve(r.body); }, reject);
    });
  });
  server.close();
  return { r1: { status: r1.status, body: r1.body }, uploadMatches: upload === createHash('sha1').update(big).digest('hex') };
}, (t, r) => t.strictSame(r, { r1: { status: 200, body: 'hello /x' }, uploadMatches: true }));

// --- TLS -----------------------------------------------------------------

// A self-signed certificate for localhost (valid 100 years), made once with
// `openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost
// -addext subjectAltName=DNS:localhost,IP:127.0.0.1`; test-only key material.
const fixtures = path.join(__dirname, 'fixtures');
const key = fs.readFileSync(path.join(fixtures, 'localhost-key.pem'), 'utf8');
const cert = fs.readFileSync(path.join(fixtures, 'localhost-cert.pem'), 'utf8');

compare(t, 'TLS over our sockets (tls.connect({socket}) and a TLS server fed our sockets)', async (net) => {
  const tlsServer = tls.createServer({ key, cert }, (secure) => {
    secure.on('error', () => {});
    secure.pipe(secure); // echo over TLS
  });
  // allowHalfOpen, as the README asks for a net server feeding TLS: the client
  // half-closes right after its last byte, and TLS still echoes after that.
  const netServer = net.createServer({ allowHalfOpen: true }, (socket) => tlsServer.emit('connection', socket));
  const port = await listen(netServer);
  const raw = net.connect(port, '127.0.0.1');
  const secure = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
  await once(secure, 'secureConnect');
  const handshake = { authorized: secure.authorized, protocol: typeof secure.getProtocol(), cn: secure.getPeerCertificate().subject?.CN, alpn: secure.alpnProtocol };
  const payload = randomBytes(1 << 20);
  const hash = createHash('sha1');
  let bytes = 0;
  secure.on('data', (d) => { hash.update(d); bytes += d.length; });
  secure.end(payload);
  await once(secure, 'end');
  await once(raw, 'close');
  await closeServer(netServer);
  return { handshake, bytes, echoed: hash.digest('hex') === createHash('sha1').update(payload).digest('hex') };
}, (t, r) => t.strictSame(r, { handshake: { authorized: true, protocol: 'string', cn: 'localhost', alpn: false }, bytes: 1 << 20, echoed: true }), 20_000);

'use strict';
// Scenario 10: one port served by --workers N, echo or HTTP (--mode echo|http).
//   NET_IMPL=iocp-net: N worker_threads, each with its own engine, each
//                      listening on the same port, made with createServer({ reusePort: true })
//                      (SO_REUSEPORT: the kernel spreads connections over them)
//   NET_IMPL=node:     node:net as it can do it on every Node: cluster with N
//                      worker processes (round-robin: the primary accepts and
//                      hands each connection to a worker)
// Prints {"port":N} once every worker listens; exits when stdin closes.
const cluster = require('node:cluster');
const { Worker, isMainThread, workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const { loadNet, serveControl, send, parseArgs } = require('./common.js');

const body = 'Hello, World!\n';

/** A server of `net` for `mode`: echo (pausing while write() says full) or HTTP hello-world. */
function createServer(net, mode, options = {}) {
  if (mode === 'http') {
    const httpServer = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
      res.end(body);
    });
    if (net === require('node:net')) return httpServer;
    return net.createServer({ noDelay: true, allowHalfOpen: true, ...options }, (socket) => httpServer.emit('connection', socket));
  }
  return net.createServer(options, (socket) => {
    socket.on('error', () => {});
    socket.on('data', (data) => {
      if (!socket.write(data)) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    });
  });
}

function fail(err) {
  console.error(err);
  process.exit(1);
}

if (!isMainThread) {
  // An iocp-net worker thread: listen on workerData.port (0 for the first) with reusePort.
  const server = createServer(loadNet(), workerData.mode, { reusePort: true });
  server.on('error', fail);
  server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage(server.address().port));
} else if (cluster.isWorker) {
  // A node:net cluster worker: its listen() goes through the primary.
  const server = createServer(require('node:net'), process.env.BENCH_MODE);
  server.on('error', fail);
  server.listen(0, '127.0.0.1');
} else {
  const args = parseArgs();
  const workers = args.workers || 1;
  if ((process.env.NET_IMPL || 'node') === 'node') {
    cluster.setupPrimary({ exec: __filename });
    let listening = 0;
    cluster.on('listening', (worker, address) => { if (++listening === workers) send({ port: address.port }); });
    cluster.on('exit', (worker, code) => { if (code !== 0) fail(new Error(`cluster worker exited with ${code}`)); });
    for (let i = 0; i < workers; i++) cluster.fork({ BENCH_MODE: args.mode });
  } else {
    // The first worker picks the port; the others join it.
    const start = (port) => new Promise((resolve, reject) => {
      const worker = new Worker(__filename, { workerData: { mode: args.mode, port } });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.unref();
    });
    (async () => {
      const port = await start(args.port);
      await Promise.all(Array.from({ length: workers - 1 }, () => start(port)));
      send({ port });
    })().catch(fail);
  }
  serveControl({});
}

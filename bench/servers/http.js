'use strict';
// HTTP hello-world server (scenario 6).
//   NET_IMPL=node:     http.createServer().listen()  (node's own sockets)
//   NET_IMPL=iocp-net: an iocp-net server hands each accepted socket to the same
//                      kind of http.Server with httpServer.emit('connection', socket)
const http = require('node:http');
const { loadNet, serveControl, send, parseArgs } = require('./common.js');

const args = parseArgs();
const counters = { conns: 0 };
const body = 'Hello, World!\n';

const httpServer = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});

function ready(server) {
  send({ port: server.address().port });
}

if ((process.env.NET_IMPL || 'node') === 'node') {
  httpServer.on('error', (err) => { console.error(err); process.exit(1); });
  httpServer.listen(args.port, '127.0.0.1', () => ready(httpServer));
} else {
  const net = loadNet();
  // The options node's http.Server gives its own net.Server, so both sides run
  // their sockets the same way (TCP_NODELAY on, half-open allowed).
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => httpServer.emit('connection', socket));
  server.on('error', (err) => { console.error(err); process.exit(1); });
  server.listen(args.port, '127.0.0.1', () => ready(server));
}
serveControl(counters);

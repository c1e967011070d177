'use strict';
// Port of Node's test/parallel/test-net-socket-timeout-unref.js.
// Sockets that are unref()ed do not keep the process alive even with pending
// idle timeouts (2 to 8 s): the process exits as soon as all have connected.
const common = require('../common');
const net = require('../net');

const server = net.createServer((conn) => {
  conn.write('hello');
  conn.unref();
});
server.listen(0);
server.unref();

const delaysInSeconds = [8, 5, 3, 6, 2, 4];
const clients = [];
let connectedCount = 0;

for (const seconds of delaysInSeconds) {
  // Port known synchronously: numeric-port listen with no host.
  const client = net.createConnection(server.address().port, 'localhost');
  client.on('connect', common.mustCall(() => {
    if (++connectedCount !== delaysInSeconds.length) return;
    for (const { socket, timeout } of clients) {
      socket.setTimeout(timeout, () => {
        socket.destroy();
        throw new Error('socket timed out unexpectedly');
      });
      socket.unref();
    }
  }));
  clients.push({ socket: client, timeout: seconds * 1000 });
}

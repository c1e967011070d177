'use strict';
// Port of Node's parallel/test-net-remote-address-port.js: remoteAddress,
// remoteFamily and remotePort are undefined before the connection is made,
// correct once connected (both ends), and still readable after 'close'.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const loopbackAddresses = [common.localhostIPv4, '::1', '::ffff:127.0.0.1'];
const families = ['IPv4', 'IPv6'];

function assertRemoteIsLoopback(socket) {
  assert.ok(loopbackAddresses.includes(socket.remoteAddress),
            `Invalid remoteAddress: ${socket.remoteAddress}`);
  assert.ok(families.includes(socket.remoteFamily),
            `Invalid remoteFamily: ${socket.remoteFamily}`);
}

let endedConnections = 0;

const server = net.createServer(common.mustCall(function(conn) {
  assertRemoteIsLoopback(conn);
  assert.ok(conn.remotePort);
  assert.notStrictEqual(conn.remotePort, this.address().port);
  conn.on('end', () => {
    endedConnections += 1;
    if (endedConnections === 2) server.close();
  });
  conn.on('close', () => assertRemoteIsLoopback(conn));
  conn.resume();
}, 2));

server.listen(0, function() {
  const port = this.address().port;
  const clients = [
    net.createConnection(port, '127.0.0.1'),
    net.createConnection(port),
  ];

  for (const client of clients) {
    assert.strictEqual(client.remoteAddress, undefined);
    assert.strictEqual(client.remoteFamily, undefined);
    assert.strictEqual(client.remotePort, undefined);
  }

  for (const client of clients) {
    client.on('connect', () => {
      assertRemoteIsLoopback(client);
      assert.strictEqual(client.remotePort, server.address().port);
      client.end();
    });
    client.on('close', () => assertRemoteIsLoopback(client));
  }
});

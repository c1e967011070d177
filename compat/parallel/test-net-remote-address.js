'use strict';
// Port of Node's parallel/test-net-remote-address.js: remoteAddress is
// undefined while connecting and defined once connected.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const server = net.createServer();

server.listen(common.mustCall(() => {
  const socket = net.connect({ port: server.address().port });

  assert.strictEqual(socket.connecting, true);
  assert.strictEqual(socket.remoteAddress, undefined);

  socket.on('connect', common.mustCall(() => {
    assert.strictEqual(socket.remoteAddress !== undefined, true);
    socket.end();
  }));
  socket.on('end', common.mustCall(() => server.close()));
}));

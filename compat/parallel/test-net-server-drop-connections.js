'use strict';
// Port of Node's test/parallel/test-net-server-drop-connections.js.
// A connection beyond maxConnections is dropped and reported by a 'drop'
// event carrying its local and remote address data.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

let acceptedConn;
const server = net.createServer(common.mustCall((conn) => {
  acceptedConn = conn;
}));

server.maxConnections = 1;

server.on('drop', common.mustCall((info) => {
  assert.strictEqual(!!info.localAddress, true);
  assert.strictEqual(!!info.localPort, true);
  assert.strictEqual(!!info.remoteAddress, true);
  assert.strictEqual(!!info.remotePort, true);
  assert.strictEqual(!!info.remoteFamily, true);
  acceptedConn.destroy();
  server.close();
}));

server.listen(0, () => {
  net.createConnection(server.address().port);
  net.createConnection(server.address().port);
});

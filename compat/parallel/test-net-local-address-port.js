'use strict';
// Port of Node's parallel/test-net-local-address-port.js: an accepted socket
// reports localAddress/localPort/localFamily equal to the server's address.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const server = net.createServer(common.mustCall(function(conn) {
  const listening = this.address();
  assert.strictEqual(conn.localAddress, common.localhostIPv4);
  assert.strictEqual(conn.localPort, listening.port);
  assert.strictEqual(conn.localFamily, listening.family);
  conn.on('end', () => server.close());
  conn.resume();
}));

server.listen(0, common.localhostIPv4, function() {
  const client = net.createConnection(this.address().port,
                                      common.localhostIPv4);
  client.on('connect', () => client.end());
});

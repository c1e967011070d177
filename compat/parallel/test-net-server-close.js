'use strict';
// Port of Node's test/parallel/test-net-server-close.js.
// listen() and close() return the server; 'close' is emitted once the open
// connections have been destroyed, and each of them emits 'close'.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const accepted = [];

const server = net.createServer((conn) => {
  conn.on('close', common.mustCall());
  accepted.push(conn);
  if (accepted.length === 2) {
    assert.strictEqual(server.close(), server);
    for (const c of accepted) c.destroy();
  }
});

server.on('close', common.mustCall());

const returned = server.listen(0, () => {
  net.createConnection(server.address().port);
  net.createConnection(server.address().port);
});
assert.strictEqual(returned, server);

'use strict';
// Port of Node's test/parallel/test-net-server-reset.js.
// The server resets both accepted connections: each emits 'close', each
// client gets ECONNRESET, and the closed server emits 'close'.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const accepted = [];

const server = net.createServer((conn) => {
  conn.on('close', common.mustCall());
  accepted.push(conn);
  if (accepted.length === 2) {
    assert.strictEqual(server.close(), server);
    for (const c of accepted) c.resetAndDestroy();
  }
});

server.on('close', common.mustCall());

const expectReset = () => common.mustCall((err) => {
  assert.strictEqual(err.code, 'ECONNRESET');
});

// Wine difference 2: a reset is not sticky under Wine, the client may read a
// clean end instead (node.exe's own net reports resetAndDestroy() as a
// normal close there): each client must still close, with ECONNRESET if any
// error.
const connect = (port) => {
  const client = net.createConnection(port);
  if (!common.isWine) return client.on('error', expectReset());
  client.on('error', (err) => assert.strictEqual(err.code, 'ECONNRESET'));
  client.resume();
  return client.on('close', common.mustCall());
};

const returned = server.listen(0, () => {
  connect(server.address().port);
  connect(server.address().port);
});
assert.strictEqual(returned, server);

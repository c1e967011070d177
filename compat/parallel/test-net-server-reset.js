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

const returned = server.listen(0, () => {
  net.createConnection(server.address().port).on('error', expectReset());
  net.createConnection(server.address().port).on('error', expectReset());
});
assert.strictEqual(returned, server);

'use strict';
// Port of Node's parallel/test-net-socket-connecting.js: `connecting` (and
// the legacy `_connecting` getter) is true until the connection is made.
require('../common');
const assert = require('assert');
const net = require('../net');

const server = net.createServer((conn) => {
  conn.end();
  server.close();
});

server.listen(0, () => {
  const client = net.connect(server.address().port, () => {
    assert.strictEqual(client.connecting, false);
    assert.strictEqual(client._connecting, false); // Legacy getter.
    client.end();
  });
  assert.strictEqual(client.connecting, true);
  assert.strictEqual(client._connecting, true); // Legacy getter.
});

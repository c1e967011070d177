'use strict';
// Port of Node's test/parallel/test-net-server-listen-remove-callback.js.
// The listen callback is a once-listener for 'listening': it is gone by the
// time the server closes, and the same server can listen again.
require('../common');
const assert = require('assert');
const net = require('../net');

const server = net.createServer();

server.on('close', () => {
  const remaining = server.listeners('listening');
  console.log('Closed, listeners:', remaining.length);
  assert.strictEqual(remaining.length, 0);
});

server.listen(0, () => {
  server.close();
});

server.once('close', () => {
  server.listen(0, () => {
    server.close();
  });
});

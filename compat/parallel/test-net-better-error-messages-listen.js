'use strict';
// Port of Node's test/parallel/test-net-better-error-messages-listen.js.
// A failed listen reports the address, the port and syscall 'listen'.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const server = net.createServer(common.mustNotCall());
server.listen(1, '1.1.1.1', common.mustNotCall());
server.on('error', common.mustCall((err) => {
  assert.strictEqual(err.address, '1.1.1.1');
  assert.strictEqual(err.port, 1);
  assert.strictEqual(err.syscall, 'listen');
}));

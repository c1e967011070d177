'use strict';
// Port of Node's sequential/test-net-connect-handle-econnrefused.js: a refused
// connection emits ECONNREFUSED, and `connecting` is already false inside the
// 'error' handler.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const client = net.createConnection(common.PORT);
client.on('connect', common.mustNotCall());
client.on('error', common.mustCall((err) => {
  assert.strictEqual(client.connecting, false);
  assert.strictEqual(err.code, 'ECONNREFUSED');
}));

'use strict';
// Port of Node's sequential/test-net-better-error-messages-port.js: a refused
// connection's error carries code, port and address. With family
// autoselection the per-address errors are in an AggregateError's `errors`.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const client = net.createConnection(common.PORT);
client.on('connect', common.mustNotCall());
client.on('error', common.mustCall((err) => {
  // A single address from DNS skips autoselection: then the error is direct.
  const attempt = Array.isArray(err.errors) ? err.errors[0] : err;
  assert.strictEqual(attempt.code, 'ECONNREFUSED');
  assert.strictEqual(attempt.port, common.PORT);
  assert.match(attempt.address, /^(127\.0\.0\.1|::1)$/);
}));

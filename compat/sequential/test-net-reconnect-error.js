'use strict';
// Port of Node's sequential/test-net-reconnect-error.js: a socket whose
// connection is refused can connect() again from its 'close' handler; each of
// the N+1 attempts gives exactly one 'error' and one 'close'.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const N = 20;
let closes = 0;

const client = net.createConnection(common.PORT);
client.on('connect', common.mustNotCall('client should not have connected'));

client.on('error', common.mustCall((err) => {
  // A single address from DNS skips autoselection: then the error is direct.
  const attempt = Array.isArray(err.errors) ? err.errors[0] : err;
  assert.strictEqual(attempt.code, 'ECONNREFUSED');
}, N + 1));

client.on('close', common.mustCall(() => {
  if (closes++ < N) client.connect(common.PORT);
}, N + 1));

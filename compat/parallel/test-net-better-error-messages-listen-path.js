'use strict';
// Port of Node's parallel/test-net-better-error-messages-listen-path.js:
// listening on a unix path in a missing directory fails with an error whose
// `address` is that path.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const unusablePath = '/blah/fadfa';
const server = net.createServer(common.mustNotCall());
server.listen(unusablePath, common.mustNotCall());
server.on('error', common.mustCall((err) => {
  assert.strictEqual(err.address, unusablePath);
}));

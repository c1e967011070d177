'use strict';
// Port of Node's test/parallel/test-net-server-try-ports.js.
// A server gets EADDRINUSE on a taken port and can then listen on another
// port with the same Server object. net.Server is called without `new`.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const first = net.Server();
const second = net.Server();

second.on('error', common.mustCall((err) => {
  assert.strictEqual(err.code, 'EADDRINUSE');
  second.listen(0, common.mustCall(() => {
    first.close();
    second.close();
  }));
}));

first.listen(0, common.mustCall(function() {
  // Same port as `first`: must fail with EADDRINUSE.
  second.listen(this.address().port);
}));

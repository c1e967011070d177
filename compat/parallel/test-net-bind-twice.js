'use strict';
// Port of Node's test/parallel/test-net-bind-twice.js.
// A second server on the same address and port gets EADDRINUSE and never
// listens.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const first = net.createServer(common.mustNotCall());
first.listen(0, '127.0.0.1', common.mustCall(function() {
  const second = net.createServer(common.mustNotCall());
  second.listen(this.address().port, '127.0.0.1', common.mustNotCall());
  second.on('error', common.mustCall((err) => {
    assert.strictEqual(err.code, 'EADDRINUSE');
    first.close();
  }));
}));

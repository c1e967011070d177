'use strict';
// Port of Node's test/parallel/test-net-eaddrinuse.js.
// The error of a second listen on a busy port names EADDRINUSE in its message.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const first = net.createServer(() => {});
const second = net.createServer(() => {});
first.listen(0, common.mustCall(function() {
  second.on('error', (err) => {
    assert.strictEqual(err.message.includes('EADDRINUSE'), true);
    first.close();
  });
  second.listen(this.address().port);
}));

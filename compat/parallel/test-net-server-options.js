'use strict';
// Port of Node's test/parallel/test-net-server-options.js.
// createServer() rejects a string or a number as its options argument.
require('../common');
const assert = require('assert');
const net = require('../net');

for (const notOptions of ['path', 0]) {
  assert.throws(() => net.createServer(notOptions), {
    code: 'ERR_INVALID_ARG_TYPE',
    name: 'TypeError',
  });
}

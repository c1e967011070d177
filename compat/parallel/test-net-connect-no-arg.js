'use strict';
// Port of Node's parallel/test-net-connect-no-arg.js: connect() with nothing
// to connect to throws ERR_MISSING_ARGS, for net.connect and Socket#connect.
require('../common');
const assert = require('assert');
const net = require('../net');

const missingArgs = {
  code: 'ERR_MISSING_ARGS',
  message: 'The "options" or "port" or "path" argument must be specified',
};

const attempts = [
  () => net.connect(),
  () => new net.Socket().connect(),
  () => net.connect({}),
  () => new net.Socket().connect({}),
];
for (const attempt of attempts) {
  assert.throws(attempt, missingArgs);
}

'use strict';
// Port of Node's parallel/test-net-socket-write-error.js: writing a number to
// a connected socket throws ERR_INVALID_ARG_TYPE synchronously and emits no
// 'error'.
const common = require('../common');
const net = require('../net');
const assert = require('node:assert');

const server = net.createServer().listen(0, function() {
  const client = net.createConnection(this.address().port, () => {
    client.on('error', common.mustNotCall());
    assert.throws(() => client.write(1337), {
      code: 'ERR_INVALID_ARG_TYPE',
      name: 'TypeError',
    });
    client.destroy();
  });
  client.on('close', () => server.close());
});

'use strict';
// Port of Node's test/parallel/test-net-socket-destroy-send.js.
// destroy() returns the socket, also when called a second time (no-op path);
// a write after destroy fails with ERR_STREAM_DESTROYED via the callback and
// does not emit 'error'.
const common = require('../common');
const net = require('../net');
const assert = require('assert');

const server = net.createServer();
server.listen(0, common.mustCall(() => {
  const client = net.createConnection(server.address().port);

  client.on('connect', common.mustCall(() => {
    assert.strictEqual(client.destroy().destroy(), client);
    client.on('error', common.mustNotCall());

    client.write(Buffer.from('kaboom'), common.expectsError({
      code: 'ERR_STREAM_DESTROYED',
      message: 'Cannot call write after a stream was destroyed',
      name: 'Error',
    }));
    server.close();
  }));
}));

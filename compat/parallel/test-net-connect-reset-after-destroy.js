'use strict';
// Port of Node's test/parallel/test-net-connect-reset-after-destroy.js.
// resetAndDestroy() returns the socket and a following destroy() does too;
// the peer sees 'read ECONNRESET'; a later write fails with
// ERR_STREAM_DESTROYED through its callback, without an 'error' event.
const common = require('../common');
const net = require('../net');
const assert = require('assert');

const server = net.createServer();
server.listen(0, common.mustCall(() => {
  const client = net.createConnection(server.address().port);
  server.on('connection', (conn) => {
    conn.on('error', common.expectsError({
      code: 'ECONNRESET',
      message: 'read ECONNRESET',
      name: 'Error',
    }));
  });

  client.on('connect', common.mustCall(() => {
    assert.strictEqual(client.resetAndDestroy().destroy(), client);
    client.on('error', common.mustNotCall());

    client.write(Buffer.from('fzfzfzfzfz'), common.expectsError({
      code: 'ERR_STREAM_DESTROYED',
      message: 'Cannot call write after a stream was destroyed',
      name: 'Error',
    }));
    server.close();
  }));
}));

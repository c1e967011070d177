'use strict';
// Port of Node's parallel/test-net-buffersize.js: while connecting, each
// write() grows bufferSize by its length synchronously; it is 0 at 'finish'.
const common = require('../common');
const assert = require('node:assert');
const net = require('../net');

const writes = 10;

const server = net.createServer((conn) => {
  conn.on('readable', () => conn.read());
  conn.on('end', () => server.close());
});

server.listen(0, common.mustCall(function() {
  const client = net.connect(this.address().port);

  client.on('finish', common.mustCall(() => {
    assert.strictEqual(client.bufferSize, 0);
  }));

  for (let queued = 1; queued < writes; queued++) {
    client.write('a');
    assert.strictEqual(client.bufferSize, queued);
  }
  client.end();
}));

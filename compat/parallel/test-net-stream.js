'use strict';
// Port of Node's parallel/test-net-stream.js: the server queues 20 MB then
// ends; the client pauses on its first data and destroys the connection 20 ms
// later. The server side must see exactly one 'error' and then 'close'.
const common = require('../common');
const assert = require('node:assert');
const net = require('../net');

const chunkSize = 2e6;
const chunks = 10;
const payload = Buffer.alloc(chunkSize, 'a');

const server = net.createServer((conn) => {
  conn.setNoDelay();
  conn.on('error', common.mustCall(() => conn.destroy()));
  conn.on('close', common.mustCall(() => server.close()));
  for (let i = 0; i < chunks; i++) conn.write(payload, () => {});
  conn.end();
});

server.listen(0, function() {
  const client = net.connect(this.address().port);
  client.on('data', () => {
    // pause() returns the socket itself.
    assert.strictEqual(client, client.pause());
    setTimeout(() => client.destroy(), 20);
  });
});

'use strict';
// Port of Node's test/parallel/test-net-writable.js.
// When the peer's FIN arrives ('end'), the socket is still writable and a
// write from the 'end' handler is accepted.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const server = net.createServer(common.mustCall((conn) => {
  server.close();
  conn.end();
}));
server.listen(0, '127.0.0.1', common.mustCall(function() {
  const client = net.connect(this.address().port, '127.0.0.1');
  client.on('end', common.mustCall(() => {
    assert.strictEqual(client.writable, true);
    client.write('hello world');
  }));
}));

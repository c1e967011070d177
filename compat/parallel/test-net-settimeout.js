'use strict';
// Port of Node's test/parallel/test-net-settimeout.js.
// setTimeout(T, cb) immediately followed by setTimeout(0) cancels the timer:
// cb never runs even after 2*T of idleness. setTimeout() returns the socket.
const common = require('../common');
const net = require('../net');
const assert = require('assert');

const T = 100;

const server = net.createServer(common.mustCall((conn) => {
  conn.write('hello');
}));

server.listen(0, function() {
  const client = net.createConnection(this.address().port, 'localhost');

  const returned = client.setTimeout(T, common.mustNotCall());
  assert.ok(returned instanceof net.Socket);

  client.on('data', common.mustCall(() => {
    setTimeout(() => {
      client.destroy();
      server.close();
    }, T * 2);
  }));

  client.setTimeout(0);
});

'use strict';
// Port of Node's parallel/test-net-write-connect-write.js: a write queued
// before the connection is up and one made on 'connect' reach an echo server
// in order.
const common = require('../common');
const assert = require('node:assert');
const net = require('../net');

const echoServer = net.createServer((socket) => socket.pipe(socket));

echoServer.listen(0, common.mustCall(function() {
  const client = net.connect(this.address().port);
  let echoed = '';

  client.setEncoding('utf8');
  client.write('before');
  client.on('connect', () => client.write(' after'));
  client.on('data', (chunk) => {
    echoed += chunk;
    client.end();
  });
  client.on('end', common.mustCall(() => {
    echoServer.close();
    assert.strictEqual(echoed, 'before after');
  }));
}));

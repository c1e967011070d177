'use strict';
// Port of Node's sequential/test-net-localport.js: connect({ localPort })
// binds the client to that port: the server sees it as remotePort and the
// client as localPort.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const server = net.createServer((conn) => {
  assert.strictEqual(conn.remotePort, common.PORT);
  conn.end();
  conn.on('close', () => server.close());
});

server.listen(0).on('listening', function() {
  const client = net.connect({
    host: '127.0.0.1',
    port: this.address().port,
    localPort: common.PORT,
  });
  client.on('connect', () => {
    assert.strictEqual(client.localPort, common.PORT);
  });
});

'use strict';
// Port of Node's test/parallel/test-net-keepalive.js.
// With setKeepAlive(true, 50 ms) and no idle timeout, an idle connection is
// still open on both sides 100 ms later.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

let serverSide;
let clientSide;

const server = net.createServer((conn) => {
  serverSide = conn;
  setTimeout(common.mustCall(() => {
    assert.strictEqual(serverSide.readyState, 'open');
    assert.strictEqual(clientSide.readyState, 'open');
    serverSide.end();
    clientSide.end();
    server.close();
  }, 1), common.platformTimeout(100));
  conn.setTimeout(0);
  assert.notStrictEqual(conn.setKeepAlive, undefined);
  // First keep-alive probe after 50 ms of idleness.
  conn.setKeepAlive(true, common.platformTimeout(50));
  conn.on('end', () => {
    conn.end();
  });
});
server.listen(0);

server.on('listening', function() {
  clientSide = net.createConnection(this.address().port);
  clientSide.setTimeout(0);
});

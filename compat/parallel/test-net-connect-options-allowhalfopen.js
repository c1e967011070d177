'use strict';
// Port of Node's test/parallel/test-net-connect-options-allowhalfopen.js.
// Six ways of creating an allowHalfOpen client. The server ends each connection
// at once; every client must then be non-readable but still writable, write
// its id, end, and finally close. The server sees one 'data' and one 'end' per
// connection.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const VARIANTS = 6;
const host = common.localhostIPv4;
let finsSeenByServer = 0;

function onServerConnection(conn) {
  conn.resume();
  conn.on('data', common.mustCall(function(chunk) {
    this.clientId = chunk.toString();
  }));
  // 'end' must be emitted exactly once per server-side socket.
  conn.on('end', common.mustCall(function() {
    finsSeenByServer++;
    if (finsSeenByServer < VARIANTS) return;
    setTimeout(() => server.close(), 50);
  }, 1));
  conn.end();
}

// Returns the 'connect' handler for client number `id`; `this` is the client.
function onClientConnect(id) {
  return common.mustCall(function() {
    const client = this;
    client.resume();
    client.on('end', common.mustCall(() => {
      setTimeout(() => {
        // Half-open: the read side is over, the write side is not.
        assert(!client.readable);
        assert(client.writable);
        assert(client.write(String(id)));
        client.end();
      }, 50);
    }));
    client.on('close', common.mustCall());
  });
}

const server = net.createServer({ allowHalfOpen: true })
  .on('connection', common.mustCall(onServerConnection, VARIANTS))
  .on('close', common.mustCall())
  .listen(0, host, common.mustCall(() => {
    const opts = { allowHalfOpen: true, host, port: server.address().port };
    net.connect(opts, onClientConnect(1));
    net.connect(opts).on('connect', onClientConnect(2));
    net.createConnection(opts, onClientConnect(3));
    net.createConnection(opts).on('connect', onClientConnect(4));
    new net.Socket(opts).connect(opts, onClientConnect(5));
    new net.Socket(opts).connect(opts).on('connect', onClientConnect(6));
  }));

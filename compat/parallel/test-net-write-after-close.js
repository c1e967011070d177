'use strict';
// Port of Node's test/parallel/test-net-write-after-close.js.
// After the client has ended (and, allowHalfOpen being false, the server side
// has ended in turn), a server write reports an error to its callback without
// an 'error' event on the server socket.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

let serverSide;

const server = net.createServer(common.mustCall((conn) => {
  serverSide = conn;
  conn.resume();
  conn.on('error', common.mustNotCall());
}));

server.listen(0, function() {
  const client = net.connect(this.address().port, () => {
    // client.end() finishes the writable side; 'end' follows the peer's FIN,
    // which the server sends automatically (allowHalfOpen defaults to false).
    client.on('end', common.mustCall(() => {
      serverSide.write('test', common.mustCall((err) => {
        assert(err);
        server.close();
      }));
    }));
    client.end();
  });
});

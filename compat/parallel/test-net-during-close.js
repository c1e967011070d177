'use strict';
// Port of Node's test/parallel/test-net-during-close.js.
// While a client is still connecting to a server that is being closed,
// reading its remote address properties must not throw.
const common = require('../common');
const net = require('../net');

const server = net.createServer((conn) => {
  conn.end();
});

server.listen(0, common.mustCall(function() {
  const client = net.createConnection(this.address().port);
  server.close();
  // 'connection' has not fired yet and the client is still connecting.
  /* eslint-disable no-unused-expressions */
  client.remoteAddress;
  client.remoteFamily;
  client.remotePort;
  /* eslint-enable no-unused-expressions */
  // Leave now rather than wait for the client's eventual outcome.
  process.exit(0);
}));
